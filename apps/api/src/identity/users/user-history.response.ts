import { ApiProperty } from '@nestjs/swagger';
import type { UserHistoryEntry, UserHistoryPage } from '@trial-ledger/audit';
import { ACCOUNT_POLICY_STREAM_ID, IDENTITY_STREAM_ID, ROLES, type Role } from '@trial-ledger/domain';
import type { EventSource } from '@trial-ledger/event-store';

/** Every channel an event can come through (a new one fails to compile until it is listed). */
const SOURCES = Object.keys({ api: 0, cli: 0, import: 0, system: 0 } satisfies Record<EventSource, 0>) as EventSource[];

/** Who recorded a user-management event. */
export class UserHistoryActorResponse {
  @ApiProperty({ example: 'u-0190a3f0' })
  userId!: string;
  @ApiProperty({ example: 'ada' })
  username!: string;
  @ApiProperty({ enum: [...ROLES] })
  role!: Role;
}

/** One event of the user-management history (`UserHistoryEntry`): who, when, what, why; secrets redacted. */
export class UserHistoryEntryResponse implements UserHistoryEntry {
  @ApiProperty({ enum: [IDENTITY_STREAM_ID, ACCOUNT_POLICY_STREAM_ID], description: 'The stream the event belongs to: identity, or account-policy for AccountPolicyChanged.' })
  streamId!: string;
  @ApiProperty({ type: 'integer', description: 'The event\'s version in its own stream.' })
  streamVersion!: number;
  @ApiProperty({ type: 'integer', description: 'The event\'s log position: the order of the history and its page cursor.' })
  globalPosition!: number;
  @ApiProperty({ format: 'uuid' })
  eventId!: string;
  @ApiProperty({ example: 'UserRoleChanged', description: 'An identity event type, or AccountPolicyChanged.' })
  type!: string;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
  @ApiProperty({ example: 'Ada Admin (ada, admin)', description: 'The person who did it, in words.' })
  recordedBy!: string;
  @ApiProperty({ type: UserHistoryActorResponse })
  actor!: UserHistoryActorResponse;
  @ApiProperty({ enum: SOURCES })
  source!: EventSource;
  @ApiProperty({ type: 'string', nullable: true, description: 'Why, as given with the command.' })
  reason!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event\'s data; password hashes and any field named as a secret are "[redacted]"; for the admin without a subject id.',
  })
  data!: Record<string, unknown>;
  @ApiProperty({ description: 'The event\'s hash in the chain (SHA-256, hex).' })
  hash!: string;
}

/** A page of the user-management history (`UserHistoryPage`). */
export class UserHistoryPageResponse implements UserHistoryPage {
  @ApiProperty({ type: [String], example: [IDENTITY_STREAM_ID, ACCOUNT_POLICY_STREAM_ID], description: 'The streams merged in log order.' })
  streamIds!: readonly string[];
  @ApiProperty({ type: 'integer', description: 'The log position of the last user-management event when the page was read (0: none yet).' })
  position!: number;
  @ApiProperty({ type: 'string', nullable: true, description: 'The ?username= filter, normalised; null without one.' })
  username!: string | null;
  @ApiProperty({ type: [UserHistoryEntryResponse] })
  events!: UserHistoryEntryResponse[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Pass as afterPosition for the next page; null on the last page.' })
  nextAfterPosition!: number | null;
}
