import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { declaredQueryOf, QueryParameters } from './declared-query.guard';

class WindowQueryDto {
  @IsOptional()
  @IsString()
  from?: string;
}

class SomeBody {
  @IsString()
  reason!: string;
}

/** Real Nest decorators on a controller class: what the router itself reads at start-up. */
@Controller('probe')
class ProbeController {
  @Get('dto')
  dto(@Param('id') _id: string, @Query() _query: WindowQueryDto): void {}

  @Get('named')
  named(@Query('asKnownAt') _asKnownAt: string, @Query('position') _position: string): void {}

  @Get('record')
  @QueryParameters('sort', 'order')
  record(@Query() _query: Record<string, unknown>): void {}

  @Get('record-undeclared')
  recordUndeclared(@Query() _query: Record<string, unknown>): void {}

  @Post('command')
  command(@Body() _body: SomeBody, @Param('id') _id: string): void {}

  @Get('bare')
  bare(): void {}
}

describe('declaredQueryOf: the query parameters a route declares, from its decorators', () => {
  it('given a @Query() DTO, then the request pipe validates the query (its whitelist refuses unknown names)', () => {
    expect(declaredQueryOf(ProbeController, 'dto')).toBe('dto');
  });

  it('given @Query(name) parameters, then exactly those names', () => {
    expect(declaredQueryOf(ProbeController, 'named')).toEqual(new Set(['asKnownAt', 'position']));
  });

  it('given a plain record with @QueryParameters, then the names listed', () => {
    expect(declaredQueryOf(ProbeController, 'record')).toEqual(new Set(['sort', 'order']));
  });

  it.each([['a plain record', 'recordUndeclared'], ['a body and a path parameter', 'command'], ['no parameter at all', 'bare']])(
    'given %s and no declared name, then none is accepted',
    (_what, method) => {
      expect(declaredQueryOf(ProbeController, method)).toEqual(new Set());
    },
  );
});
