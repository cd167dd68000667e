// Contract isolates run in UTC, whatever the host's TZ.
//
// An isolate takes its time zone from ICU's process-wide default when it is
// created, and Node resets that default whenever process.env.TZ is assigned.
// So the executor pins TZ to UTC before it creates its first isolate. The host's
// own clock is unaffected (it uses UTC timestamps throughout), and local-time
// APIs of the host process report UTC from then on.

export const SANDBOX_TIME_ZONE = 'UTC';

export function pinSandboxTimeZone(): void {
  if (process.env.TZ !== SANDBOX_TIME_ZONE) process.env.TZ = SANDBOX_TIME_ZONE;
}
