import type { AlertEvent, AlertEventType } from './alert-event.js';

const HEADLINE: Record<AlertEventType, string> = {
  firing: ':rotating_light: FIRING',
  repeat: ':repeat: STILL FAILING',
  resolved: ':white_check_mark: RESOLVED',
};

/** The event as a chat message (Slack mrkdwn; plain enough for any chat that takes `{ text }`). */
export function alertText(event: AlertEvent): string {
  const what = event.subject ? `${event.kind} (${event.subject})` : event.kind;
  const { scope } = event;
  return [
    `${HEADLINE[event.type]} ${event.table}: ${what}, ${event.severity}`,
    event.type === 'resolved' ? `was: ${event.description}` : event.description,
    `scope ${scope.key} (verified ${scope.start}..${scope.end}, ${event.trigger}${event.runId ? ` ${event.runId}` : ''}) · first seen ${event.firstSeenAt} · fingerprint ${event.fingerprint}`,
    '```',
    event.reportExcerpt.replaceAll('```', "'''"),
    '```',
  ].join('\n');
}
