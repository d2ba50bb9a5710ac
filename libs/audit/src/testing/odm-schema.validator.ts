import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML, memoryPages, type XMLValidationResult } from 'xmllint-wasm';

const SCHEMA_DIR = join(__dirname, '..', 'odm', 'schema');
const read = (name: string): { fileName: string; contents: string } => ({ fileName: name, contents: readFileSync(join(SCHEMA_DIR, name), 'utf8') });

/**
 * Validates an ODM document against the CDISC ODM 1.3.2 schema kept in this repository
 * (`libs/audit/src/odm/schema`, MIT licensed), with libxml2 compiled to WebAssembly so CI needs no
 * native xmllint.
 */
export const validateOdmXml = (xml: string): Promise<XMLValidationResult> =>
  validateXML({
    xml: [{ fileName: 'export.xml', contents: xml }],
    schema: [read('ODM1-3-2.xsd')],
    preload: [read('ODM1-3-2-foundation.xsd'), read('xml.xsd'), read('xmldsig-core-schema.xsd'), read('xlink.xsd')],
    maxMemoryPages: 1 * memoryPages.GiB,
  });
