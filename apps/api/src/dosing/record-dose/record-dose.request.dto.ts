import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadNumber, PayloadText } from '../../shared/validation/field.decorators';

/**
 * `RecordDose`. A dose, route or date that differs from the protocol is not bad input: it is recorded
 * as given and the domain adds a `ProtocolDeviationDetected` — hiding it would falsify the record.
 */
export class RecordDoseRequestDto extends CommandRequestDto {
  @PayloadNumber('cycle', 'Treatment cycle number (cycle 1 within days 0–7 of enrollment; then every 28 ± 3 days).', 1)
  cycle!: number;

  @ClinicalDate('Date the injection was given.')
  administeredOn!: string;

  @PayloadNumber('doseMg', 'Dose actually given, mg; judged against the dose of the protocol version in force (the seed protocol: 120 mg lanreotide Autogel).', 120)
  doseMg!: number;

  @PayloadText('route', 'Route of administration (protocol: deep-sc, deep subcutaneous).', 'deep-sc')
  route!: string;

  @PayloadText('lotNumber', 'Lot number of the product administered (drug accountability).', 'LOT-2026-0042')
  lotNumber!: string;

  @PayloadText('injectionSite', 'Injection site (e.g. superior external quadrant of the buttock).', 'left buttock')
  injectionSite!: string;
}
