import pino, { type Logger } from 'pino'

/**
 * Paths pino masks in every log line. Tokens, secrets and sensitive attribute values must never be
 * logged; plugins add their own option names through `redactPaths`.
 */
export const REDACT_PATHS = [
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'secret', '*.secret', 'password', '*.password', 'webhook_url', '*.webhook_url', 'webhookUrl', '*.webhookUrl',
  'access_key', '*.access_key', 'secret_key', '*.secret_key',
]

export interface LoggerOptions {
  level?: string
  /** Pretty-print (default: when stdout is a TTY). */
  pretty?: boolean
  redactPaths?: string[]
}

/** The root logger: JSON lines unless on a TTY, secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY)
  return pino({
    level: options.level ?? process.env.TFDRIFT_LOG_LEVEL ?? 'info',
    redact: { paths: [...REDACT_PATHS, ...(options.redactPaths ?? [])], censor: '[REDACTED]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  })
}

/** A logger that discards everything (tests). */
export const silentLogger: Logger = pino({ level: 'silent' })
