import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { StoredEvent } from '@trial-ledger/event-store';
import { QueryInteger } from '../validation/field.decorators';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** `?limit=`: the size of a history page, 1 to `MAX_PAGE_SIZE` (default `DEFAULT_PAGE_SIZE`), documented and checked alike. */
export const PageLimit = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
    IsOptional(),
    QueryInteger(),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_SIZE),
  );

/** `?afterVersion=0&limit=100`: a page of a stream's history, by stream version (stable: the stream only grows). */
export class EventHistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Return events after this stream version.' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  afterVersion?: number;

  @PageLimit()
  limit?: number;
}

/**
 * A page of a stream's events exactly as stored — data, metadata (actor, recordedAt, reason,
 * correlation, source, protocol version) and the hash chain links — for monitors and auditors.
 */
export class EventHistoryPage {
  @ApiProperty()
  streamId!: string;
  @ApiProperty({ description: 'The stream version when the page was read (also the ETag).' })
  streamVersion!: number;
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  events!: StoredEvent[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Pass as afterVersion for the next page; null on the last page.' })
  nextAfterVersion!: number | null;
}

/**
 * One page of `events`. With `shown`, only the events it keeps are paged (a reader's view of the stream:
 * the administrator's study history); `streamVersion` stays the stream's own, and the last page is the
 * one after which no shown event follows.
 */
export const pageOfHistory = (streamId: string, events: readonly StoredEvent[], query: EventHistoryQueryDto, shown?: (event: StoredEvent) => boolean): EventHistoryPage => {
  const after = query.afterVersion ?? 0;
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const visible = shown === undefined ? events : events.filter(shown);
  const page = visible.filter((e) => e.streamVersion > after).slice(0, limit);
  const streamVersion = events.at(-1)?.streamVersion ?? 0;
  const last = page.at(-1)?.streamVersion;
  const lastVisible = visible.at(-1)?.streamVersion;
  return { streamId, streamVersion, events: page, nextAfterVersion: last !== undefined && lastVisible !== undefined && last < lastVisible ? last : null };
};
