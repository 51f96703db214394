/** MessageBus.MessageStatus in Mosaic 0.12. */
export enum MessageStatus {
  Undeclared = 0,
  Declared = 1,
  Progressed = 2,
  DeclaredRevocation = 3,
  Revoked = 4,
}

export function messageStatusName(status: MessageStatus): string {
  return MessageStatus[status] ?? `Unknown(${String(status)})`;
}
