import { AE_OUTCOME_SDTM_TERMS, AE_OUTCOMES, SIGNATURE_MEANINGS, SIGNATURE_MEANING_WORDS, personInWords, type Actor } from '@trial-ledger/domain';
import { AE_OUTCOME_CODE_LIST, sdtmVariableOf } from './odm-adverse-event-outcomes';
import { eventTypeInWords } from '../trail/event-words';
import { oid, type FormSpec, type GroupSpec, type ItemSpec, type OdmCatalogue } from './odm-catalogue';
import { el, textEl, type X } from './odm-xml';
import { writeAnnotationCodeLists } from './odm-annotations';
import type { StudyInfo } from './odm-survey';

/** Legal wording of each signature meaning (Part 11 §11.50(a)(3), §11.100). */
const MEANINGS: Readonly<Record<string, { meaning: string; legal: string }>> = {
  authorship: { meaning: SIGNATURE_MEANING_WORDS.authorship, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer is the author of the signed data.' },
  review: { meaning: SIGNATURE_MEANING_WORDS.review, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer reviewed the signed data.' },
  approval: { meaning: SIGNATURE_MEANING_WORDS.approval, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200), legally binding equivalent of a handwritten signature (§11.100(c)).' },
  responsibility: { meaning: SIGNATURE_MEANING_WORDS.responsibility, legal: 'Electronic signature under 21 CFR Part 11 (§11.50, §11.100, §11.200): the signer takes responsibility for the signed data.' },
};

const translated = (x: X, name: string, text: string): void =>
  el(x, name, {}, () => textEl(x, 'TranslatedText', text, { 'xml:lang': 'en' }));

export const writeMetaData = (x: X, info: StudyInfo, catalogue: OdmCatalogue): void => {
  const forms = [...catalogue.forms.values()];
  el(x, 'Study', { OID: oid.study(info.studyId) }, () => {
    el(x, 'GlobalVariables', {}, () => {
      textEl(x, 'StudyName', info.studyId);
      textEl(x, 'StudyDescription', info.title);
      textEl(x, 'ProtocolName', info.studyId);
    });
    el(x, 'MetaDataVersion', { OID: oid.metaDataVersion(info.studyId), Name: 'trial-ledger event catalogue', Description: 'One repeating form per kind of recorded clinical event; every field of the event is an item.' }, () => {
      el(x, 'Protocol', {}, () => el(x, 'StudyEventRef', { StudyEventOID: oid.studyEvent, OrderNumber: '1', Mandatory: 'Yes' }));
      el(x, 'StudyEventDef', { OID: oid.studyEvent, Name: 'Subject casebook', Repeating: 'No', Type: 'Common' }, () => {
        translated(x, 'Description', 'Every recorded fact about a subject, one form per event, in the order recorded.');
        forms.forEach((form, i) => el(x, 'FormRef', { FormOID: oid.form(form.eventType), OrderNumber: String(i + 1), Mandatory: 'No' }));
      });
      for (const form of forms) {
        el(x, 'FormDef', { OID: oid.form(form.eventType), Name: eventTypeInWords(form.eventType), Repeating: 'Yes' }, () => {
          el(x, 'ItemGroupRef', { ItemGroupOID: oid.group(form.eventType, null), OrderNumber: '1', Mandatory: 'Yes' });
          [...form.lists.keys()].forEach((field, i) =>
            el(x, 'ItemGroupRef', { ItemGroupOID: oid.group(form.eventType, field), OrderNumber: String(i + 2), Mandatory: 'No' }),
          );
          el(x, 'Alias', { Context: 'trial-ledger event type', Name: form.eventType });
        });
      }
      const groups = forms.flatMap((form) => [[form, form.main] as const, ...[...form.lists.values()].map((g) => [form, g] as const)]);
      for (const [form, group] of groups) {
        const name = group.field === null ? eventTypeInWords(form.eventType) : `${eventTypeInWords(form.eventType)}: ${group.field}`;
        el(x, 'ItemGroupDef', { OID: oid.group(form.eventType, group.field), Name: name, Repeating: group.field === null ? 'No' : 'Yes' }, () => {
          [...group.items.values()].forEach((item, i) =>
            el(x, 'ItemRef', { ItemOID: oid.item(form.eventType, group.field, item.path), OrderNumber: String(i + 1), Mandatory: 'No' }),
          );
        });
      }
      for (const [form, group] of groups) writeItemDefs(x, form, group);
      if (groups.some(([form, group]) => [...group.items.values()].some((item) => codedAsOutcome(form, group, item)))) writeOutcomeCodeList(x);
      writeAnnotationCodeLists(x);
    });
  });
};

/** An adverse-event outcome item (SDTM AEOUT) of text values: coded by `CL.AEOUT`, written only when one is. */
const codedAsOutcome = (form: FormSpec, group: GroupSpec, item: ItemSpec): boolean =>
  sdtmVariableOf(form.eventType, group.field, item.path) === 'AEOUT' && (item.dataType ?? 'text') === 'text';

const writeItemDefs = (x: X, form: FormSpec, group: GroupSpec): void => {
  for (const item of group.items.values()) {
    const dataType = item.dataType ?? 'text';
    const attributes: Record<string, string> = { OID: oid.item(form.eventType, group.field, item.path), Name: item.path, DataType: dataType };
    if (dataType === 'text' || dataType === 'integer') attributes.Length = String(item.length);
    if (dataType === 'float') {
      attributes.Length = String(item.length);
      attributes.SignificantDigits = String(item.decimals);
    }
    const sdtm = sdtmVariableOf(form.eventType, group.field, item.path);
    el(x, 'ItemDef', attributes, () => {
      translated(x, 'Question', item.path.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\./g, ' — ').toLowerCase());
      if (codedAsOutcome(form, group, item)) el(x, 'CodeListRef', { CodeListOID: AE_OUTCOME_CODE_LIST.oid });
      el(x, 'Alias', { Context: 'trial-ledger field', Name: group.field === null ? item.path : `${group.field}[].${item.path}` });
      if (sdtm !== null) el(x, 'Alias', { Context: 'CDISC SDTM', Name: `AE.${sdtm}` });
    });
  }
};

/** The adverse-event outcome codes, each decoded to its CDISC SDTM AEOUT term (also its `Alias`). */
const writeOutcomeCodeList = (x: X): void => {
  el(x, 'CodeList', { OID: AE_OUTCOME_CODE_LIST.oid, Name: AE_OUTCOME_CODE_LIST.name, DataType: 'text' }, () => {
    for (const code of AE_OUTCOMES) {
      el(x, 'CodeListItem', { CodedValue: code }, () => {
        translated(x, 'Decode', AE_OUTCOME_SDTM_TERMS[code]);
        el(x, 'Alias', { Context: 'CDISC SDTM AEOUT', Name: AE_OUTCOME_SDTM_TERMS[code] });
      });
    }
  });
};

export const writeAdminData = (x: X, studies: StudyInfo[], users: Map<string, Actor>, now: string): void => {
  el(x, 'AdminData', {}, () => {
    for (const user of users.values()) {
      el(x, 'User', { OID: oid.user(user.userId), UserType: user.role === 'investigator' ? 'Investigator' : 'Other' }, () => {
        textEl(x, 'LoginName', user.username);
        // The username beside the full name: a signature's UserRef is shown by this name, and full names are not unique.
        textEl(x, 'DisplayName', personInWords(user));
        textEl(x, 'FullName', user.fullName);
        textEl(x, 'Organization', `trial-ledger role: ${user.role}`);
        el(x, 'LocationRef', { LocationOID: oid.location });
      });
    }
    el(x, 'Location', { OID: oid.location, Name: 'Investigational site (single-site study)', LocationType: 'Site' }, () => {
      for (const info of studies) {
        el(x, 'MetaDataVersionRef', { StudyOID: oid.study(info.studyId), MetaDataVersionOID: oid.metaDataVersion(info.studyId), EffectiveDate: info.registeredOn ?? now.slice(0, 10) });
      }
    });
    for (const meaning of SIGNATURE_MEANINGS) {
      el(x, 'SignatureDef', { OID: oid.signature(meaning), Methodology: 'Electronic' }, () => {
        textEl(x, 'Meaning', MEANINGS[meaning].meaning);
        textEl(x, 'LegalReason', MEANINGS[meaning].legal);
      });
    }
  });
};
