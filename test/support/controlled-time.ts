import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';

/** Moves a controlled clock and lets the engine fire whatever fell due, until nothing more does. */
export async function moveClockAndFireTimers(clock: ControlledClock, engine: WorkflowEngine, instant: Date): Promise<void> {
  clock.set(instant);
  for (let round = 0; round < 20; round++) {
    await engine.whenIdle();
    if ((await engine.runDueTimers()) === 0) break;
  }
  await engine.whenIdle();
}
