import 'reflect-metadata';
import { getMetadataStorage, IsInt, IsString, MetadataStorage, Min, validate } from 'class-validator';
import { memoizeValidationMetadata } from './memoized-validation-metadata';

class Base {
  @IsString()
  name!: string;
}

class Dose extends Base {
  @IsInt()
  @Min(1)
  cycle!: number;
}

describe('validation metadata resolved once per DTO', () => {
  it('answers what the library answers, the same list every time, and nothing stale after a later class registers rules', () => {
    const storage = new MetadataStorage();
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(Dose, '', false, false)) storage.addValidationMetadata(metadata);
    const plain = new MetadataStorage();
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(Dose, '', false, false)) plain.addValidationMetadata(metadata);
    memoizeValidationMetadata(storage);
    const first = storage.getTargetValidationMetadatas(Dose, '', false, false);
    expect(first).toEqual(plain.getTargetValidationMetadatas(Dose, '', false, false));
    expect(first.map((m) => m.propertyName).sort()).toEqual(['cycle', 'cycle', 'name']);
    expect(storage.getTargetValidationMetadatas(Dose, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    // Another argument set is its own answer.
    expect(storage.getTargetValidationMetadatas(Dose, '', true, false)).not.toBe(first);
    // A rule registered afterwards is seen at once.
    const extra = { ...first[0], propertyName: 'site' } as (typeof first)[number];
    storage.addValidationMetadata(extra);
    const after = storage.getTargetValidationMetadatas(Dose, '', false, false);
    expect(after).not.toBe(first);
    expect(after.map((m) => m.propertyName)).toContain('site');
  });

  it('validates the global storage exactly as before once memoized (inherited rules, refusals)', async () => {
    memoizeValidationMetadata();
    memoizeValidationMetadata();
    const ok = Object.assign(new Dose(), { name: 'x', cycle: 2 });
    const bad = Object.assign(new Dose(), { name: 7, cycle: 0 });
    expect(await validate(ok)).toEqual([]);
    for (let i = 0; i < 2; i += 1) expect((await validate(bad)).map((e) => [e.property, Object.keys(e.constraints ?? {})])).toEqual([['cycle', ['min']], ['name', ['isString']]]);
  });
});
