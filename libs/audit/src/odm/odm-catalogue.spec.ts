import { OdmCatalogue } from './odm-catalogue';

const typeOf = (values: readonly unknown[], field = 'lotNumber'): string | null => {
  const catalogue = new OdmCatalogue();
  for (const value of values) catalogue.observe('DoseAdministered', { [field]: value });
  return catalogue.forms.get('DoseAdministered')?.main.items.get(field)?.dataType ?? null;
};

/**
 * The ItemDef's DataType is inferred from the values recorded. Free text that only looks like a date (a
 * lot number `2026-13-45`) must stay text: declared `date`, the file would carry a Value no ODM reader
 * can read as one and be rejected by an importer that checks values against their DataType.
 */
describe('OdmCatalogue: DataType inferred from the recorded values', () => {
  it('given real calendar dates, then date; given real instants with a zone, then datetime', () => {
    expect(typeOf(['2026-01-05', '2024-02-29'], 'administeredOn')).toBe('date');
    expect(typeOf(['2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00+02:00'], 'at')).toBe('datetime');
  });

  it.each([
    ['a month 13', ['2026-13-45']],
    ['February 30th beside a real date', ['2026-01-05', '2026-02-30']],
    ['year 0000', ['0000-01-01']],
    ['hour 25 in an instant', ['2026-01-05T25:00:00Z']],
  ])('given free text that only looks like a date (%s), then text', (_name, values) => {
    expect(typeOf(values)).toBe('text');
  });
});
