import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { verifyPassword as verifyLegacyScrypt } from '../../organization/people/password-hasher';

/** Result of checking a password against a stored hash. */
export interface PasswordCheck {
  valid: boolean;
  /** The hash uses an older scheme or weaker parameters: store a fresh one now that the password is known. */
  needsRehash: boolean;
}

/** Hashing and checking of passwords (a port: the adapter below is the one in use). */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  abstract verify(password: string, stored: string): Promise<PasswordCheck>;
  /** Spends the time of one verification without a stored hash, so an unknown login answers as slowly as a known one. */
  abstract verifyNothing(password: string): Promise<void>;
}

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 70 ms a hash here.
 * The algorithm constant is Argon2id (2): the package's `Algorithm` is a const enum, which isolated
 * modules cannot import.
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2ID.memoryCost},t=${ARGON2ID.timeCost},p=${ARGON2ID.parallelism}$`;

/** An argon2id PHC string (`$argon2id$v=19$m=…`) for the password, with a fresh salt. */
export function hashPasswordArgon2id(password: string): Promise<string> {
  return argon2Hash(password, ARGON2ID);
}

/** argon2id for new hashes; also checks the `scrypt$…` hashes of earlier versions, and asks for their rehash. */
export class Argon2idPasswordHasher extends PasswordHasher {
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hashPasswordArgon2id(password);
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    if (stored.startsWith('$argon2')) {
      const valid = await argon2Verify(stored, password).catch(() => false);
      return { valid, needsRehash: valid && !stored.startsWith(CURRENT_PREFIX) };
    }
    if (stored.startsWith('scrypt$')) {
      const valid = await verifyLegacyScrypt(password, stored).catch(() => false);
      return { valid, needsRehash: valid };
    }
    return { valid: false, needsRehash: false };
  }

  async verifyNothing(password: string): Promise<void> {
    this.dummy ??= hashPasswordArgon2id(randomBytes(32).toString('base64'));
    await argon2Verify(await this.dummy, password).catch(() => false);
  }
}
