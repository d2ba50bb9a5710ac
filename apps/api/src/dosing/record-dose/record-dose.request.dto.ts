import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, IntegerIn, NumberIn, Text } from '../../shared/validation/field.decorators';

/**
 * `RecordDose`. A dose, route or date that differs from the protocol is not bad input: it is recorded
 * as given and the domain adds a `ProtocolDeviationDetected` — hiding it would falsify the record.
 */
export class RecordDoseRequestDto extends CommandRequestDto {
  @IntegerIn(1, 1000, 'Treatment cycle number (cycle 1 within days 0–7 of enrollment; then every 28 ± 3 days).', 1)
  cycle!: number;

  @ClinicalDate('Date the injection was given.')
  administeredOn!: string;

  @NumberIn(0.001, 10000, 'Dose actually given, mg (protocol: 120 mg lanreotide Autogel).', 120)
  doseMg!: number;

  @Text('Route of administration (protocol: deep-sc, deep subcutaneous).', 50, 'deep-sc')
  route!: string;

  @Text('Lot number of the product administered (drug accountability).', 100, 'LOT-2026-0042')
  lotNumber!: string;

  @Text('Injection site (e.g. superior external quadrant of the buttock).', 100, 'left buttock')
  injectionSite!: string;
}
