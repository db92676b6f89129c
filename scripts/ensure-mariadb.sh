#!/usr/bin/env bash
# Sourced by the test script: makes sure a MariaDB server answers for the database tests and exports
# TEST_DATABASES and TEST_MYSQL_URL. Uses the one on 127.0.0.1:3306 when it answers; otherwise
# installs mariadb-server when missing and starts it.
export TEST_MYSQL_URL="${TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"
export TEST_DATABASES="${TEST_DATABASES:-sqlite,mariadb}"

mariadb_answers() {
  node -e '
    const u = new URL(process.env.TEST_MYSQL_URL);
    require("mysql2/promise").createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || "root"), password: decodeURIComponent(u.password) })
      .then(c => c.end()).then(() => process.exit(0), () => process.exit(1));
  ' 2>/dev/null
}

if [[ "$TEST_DATABASES" == *mariadb* ]] && ! mariadb_answers; then
  echo "==> MariaDB does not answer at $TEST_MYSQL_URL: starting one"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mariadb-server >/dev/null
  fi
  $SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld 2>/dev/null || true
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do mariadb_answers && break; sleep 1; done
  mariadb_answers || { echo "MariaDB did not start: the database tests need it (set TEST_DATABASES=sqlite to skip it)"; exit 1; }
fi
