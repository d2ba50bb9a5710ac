import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderLedgerReport, REVIEW_INDICATORS, reviewAuditTrail, type AuditTrailReview } from '@trial-ledger/audit';
import { executeCommand } from '@trial-ledger/command-pipeline';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { addReadyUser } from '../../libs/identity/src/testing';
import { buildReviewScenario, DATA_CUT, STUDY_ID, type ReviewScenario } from './support/review-scenario';

const counts = (review: AuditTrailReview) => Object.fromEntries(review.indicators.map((i) => [i.id, i.findings.length]));
const findingsOf = (review: AuditTrailReview, id: string) => review.indicators.find((i) => i.id === id)?.findings ?? [];

describe('risk-based audit-trail review (ledgers built through the pipeline and the identity service)', () => {
  const open = async (noisy: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-review-'));
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    const scenario = await buildReviewScenario(store, clock, dir, noisy);
    return { dir, store, clock, scenario, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  };

  describe('given a clean study, anchored by a signed checkpoint', () => {
    let ctx: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => { ctx = await open(false); });
    afterAll(() => ctx.close());

    it('then no indicator fires, and the per-user table shows timely entries', async () => {
      const review = await reviewAuditTrail(ctx.store, { checkpoints: ctx.scenario.checkpoints, publicKey: ctx.scenario.publicKey, dataCuts: [DATA_CUT] });

      expect(counts(review)).toEqual(Object.fromEntries(REVIEW_INDICATORS.map((id) => [id, 0])));
      expect(review.verdict).toBe('No findings: no indicator fired.');
      expect(review.users.find((u) => u.username === 'ivan')).toMatchObject({ entries: 8, corrections: 0, voids: 0, lagMaxDays: 0 });
      expect(review.subjects.map((s) => s.subjectId)).toEqual(['S001', 'S002']);
    });
  });

  describe('given the same study with one trigger per indicator', () => {
    let ctx: Awaited<ReturnType<typeof open>>;
    let review: AuditTrailReview;
    let triggers: ReviewScenario['triggers'];
    beforeAll(async () => {
      ctx = await open(true);
      triggers = ctx.scenario.triggers;
      review = await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT] });
    });
    afterAll(() => ctx.close());

    it('then every indicator fires exactly once', () => {
      expect(counts(review)).toEqual(Object.fromEntries(REVIEW_INDICATORS.map((id) => [id, 1])));
      expect(review.verdict).toBe('14 findings in 14 of 14 indicators.');
    });

    it.each(REVIEW_INDICATORS.filter((id) => id !== 'access' && id !== 'trail-integrity'))('then the %s finding names the events of its trigger', (id) => {
      const [f] = findingsOf(review, id);
      for (const e of triggers[id] ?? []) expect(f.eventIds).toContain(e.eventId);
    });

    it('then entry lag, back-dating and the critical edit say what happened and by whom', () => {
      expect(findingsOf(review, 'entry-lag')[0]).toMatchObject({ subjectId: 'S002', username: 'ivan', summary: expect.stringContaining('dated 2026-02-02 recorded 63 days later') });
      expect(findingsOf(review, 'back-dating')[0].summary).toContain('administeredOn moved 1 days earlier (2026-01-06 → 2026-01-05)');
      expect(findingsOf(review, 'critical-data-edit')[0].summary).toContain('censored → event');
      expect(findingsOf(review, 'change-after-sign-off')[0].summary).toContain('after signature by ivan');
      // The re-read corrects a scan the casebook signature covered (a direct change) and, through the RECIST
      // response derived from it, supersedes the later scan's own signature, which never covered the re-read scan.
      expect(findingsOf(review, 'change-after-sign-off')[0].eventIds).not.toContain(triggers['derived-change-after-sign-off']![1].eventId);
      expect(findingsOf(review, 'derived-change-after-sign-off')[0]).toMatchObject({
        subjectId: 'S001',
        username: 'ivan',
        summary: expect.stringMatching(/^TumorAssessmentRecorded corrected by ivan supersedes, through what it derives from, the signature by ivan \(authorship\) of TumorAssessmentRecorded [0-9a-f-]+$/),
      });
      expect(findingsOf(review, 'correction-rate')[0].summary).toBe('subject S002: void rate 9.1 % (1 of 11 entries; threshold 8 %)');
      expect(findingsOf(review, 'change-concentration')[0].username).toBe('cora');
      expect(findingsOf(review, 'access')[0].summary).toBe('3 failed password entries for cora (threshold 3)');
      expect(findingsOf(review, 'trail-integrity')[0].summary).toContain('no signed checkpoint given');
    });

    it('then a window limits the findings to events recorded in it, while reading the whole log for context', async () => {
      const windowed = await reviewAuditTrail(ctx.store, { from: '2026-04-07', to: '2026-04-07', dataCuts: [DATA_CUT] });

      expect(windowed.indicators.filter((i) => i.findings.length > 0).map((i) => i.id)).toEqual(['burst', 'trail-integrity']);
    });

    it('then the printable report gains a review section with the findings and their events', async () => {
      const page = await renderLedgerReport(ctx.store);

      const section = page.slice(page.indexOf('<section id="review">'), page.indexOf('</section>', page.indexOf('<section id="review">')));
      expect(section).toContain('13 findings in 13 of 14 indicators.');
      expect(section).toContain('<h3>Bursts</h3>');
      for (const e of triggers.burst ?? []) expect(section).toContain(`#${e.globalPosition}: ${e.eventId}`);
      expect(section).toContain('Dr Ivan Investigator (ivan)');
    });

    it('then a data cut named twice (however its instant is spelled) is one analysis: its findings are not counted twice', async () => {
      const again = await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT, DATA_CUT, { cutoff: DATA_CUT.cutoff, analysedAt: '2026-04-13T14:00:00+02:00' }] });
      expect(again.dataCuts).toEqual([DATA_CUT]);
      expect(counts(again)).toEqual(counts(review));
    });

    it('then bad options are refused with stable codes', async () => {
      await expect(reviewAuditTrail(ctx.store, { from: 'yesterday' })).rejects.toMatchObject({ code: 'AUDIT.INVALID_FILTER' });
      await expect(reviewAuditTrail(ctx.store, { from: '2026-05-01', to: '2026-04-01' })).rejects.toMatchObject({ code: 'AUDIT.INVALID_FILTER' });
      await expect(reviewAuditTrail(ctx.store, { dataCuts: [{ cutoff: '2026-13-01', analysedAt: '2026-04-13' }] })).rejects.toMatchObject({ code: 'REVIEW.INVALID_DATA_CUT' });
      // An analysis instant still to come, or today's bare date (the end of the UTC day), is refused.
      const today = new Date().toISOString().slice(0, 10);
      for (const analysedAt of ['2100-01-01T00:00:00Z', today]) {
        await expect(reviewAuditTrail(ctx.store, { dataCuts: [{ cutoff: '2026-04-12', analysedAt }] })).rejects.toMatchObject({ code: 'REVIEW.DATA_CUT_IN_FUTURE' });
      }
      await expect(reviewAuditTrail(ctx.store, { studyId: '__proto__' })).rejects.toMatchObject({ code: 'STUDY.NOT_FOUND' });
    });
  });

  describe('given the clean study where a coordinator pads short and repeated reasons with invisible characters', () => {
    let ctx: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => { ctx = await open(false); });
    afterAll(() => ctx.close());

    it('then reason-quality judges the reasons as a reader sees them: a padded short reason is short, padded copies are the same reason', async () => {
      const { actors } = ctx.scenario;
      const run = async (command: Parameters<typeof executeCommand>[1]) => {
        ctx.clock.advance(120_000);
        return (await executeCommand(ctx.store, command, { actor: actors.cora, source: 'api' }, { clock: ctx.clock })).events[0];
      };
      const s002 = (await ctx.store.readStream(`subject-${STUDY_ID}-S002`)).filter((e) => e.type === 'DoseAdministered');
      ctx.clock.set('2026-04-01T10:00:00.000Z');
      const short = await run({ type: 'CorrectEntry', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: s002[0].eventId, changes: { lotNumber: 'LOT-0101' }, reason: 'typo\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b' } });
      const repeated = [];
      for (const [i, pad] of ['', '\u200b', '\u2060', '\u200c\u200d'].entries()) {
        repeated.push(await run({ type: 'CorrectEntry', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: s002[0].eventId, changes: { lotNumber: `LOT-020${i}` }, reason: `re-read of the${pad} pharmacy log` } }));
      }
      const found = findingsOf(await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT] }), 'reason-quality');
      expect(found.find((f) => f.eventIds.includes(short.eventId))?.summary).toMatch(/a reason of 4 visible characters \(spaces not counted\)/);
      expect(found.find((f) => f.summary.startsWith('the same reason'))?.eventIds).toEqual(repeated.map((e) => e.eventId));
    });
  });

  describe('given the clean study where a monitor source-verified two entries of S002, one corrected and one voided afterwards', () => {
    let ctx: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => { ctx = await open(false); });
    afterAll(() => ctx.close());

    it('then each change after the SDV is a change-after-sign-off finding naming the verification', async () => {
      const { identity, actors } = ctx.scenario;
      await addReadyUser(identity, actors.ada, { username: 'mona', fullName: 'Mona Monitor', role: 'monitor', password: 'monitor passphrase 0001' }, 'cli');
      const mona = await identity.auth.verifyPassword('mona', 'monitor passphrase 0001', 'cli');
      const run = async (command: Parameters<typeof executeCommand>[1], actor: typeof mona) => {
        ctx.clock.advance(120_000);
        return (await executeCommand(ctx.store, command, { actor, source: 'api' }, { clock: ctx.clock })).events[0];
      };
      const s002 = await ctx.store.readStream(`subject-${STUDY_ID}-S002`);
      const dose = s002.find((e) => e.type === 'DoseAdministered')!;
      const scan = s002.filter((e) => e.type === 'TumorAssessmentRecorded').at(-1)!;
      ctx.clock.set('2026-04-01T10:00:00.000Z');
      const verified = [
        await run({ type: 'VerifySource', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: dose.eventId } }, mona),
        await run({ type: 'VerifySource', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: scan.eventId } }, mona),
      ];
      const before = await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT] });
      expect(findingsOf(before, 'change-after-sign-off')).toEqual([]);

      const correction = await run({ type: 'CorrectEntry', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: dose.eventId, changes: { lotNumber: 'LOT-0099' }, reason: 'lot number re-read from the pharmacy log' } }, actors.cora);
      const voided = await run({ type: 'VoidEntry', studyId: STUDY_ID, subjectId: 'S002', payload: { targetEventId: scan.eventId, reason: 'scan entered for the wrong subject' } }, actors.ivan);
      const review = await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT] });

      const found = findingsOf(review, 'change-after-sign-off');
      expect(found.map((f) => f.eventIds)).toEqual([[correction.eventId, verified[0].eventId], [voided.eventId, verified[1].eventId]]);
      expect(found[0]).toMatchObject({ subjectId: 'S002', username: 'cora', summary: 'DoseAdministered corrected by cora after source-data verification by mona' });
      expect(found[1]).toMatchObject({ subjectId: 'S002', username: 'ivan', summary: 'TumorAssessmentRecorded voided by ivan after source-data verification by mona' });
    });
  });

  describe('given the clean study whose S001 casebook was signed, when a scan dated before the signed follow-up is recorded late', () => {
    let ctx: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => { ctx = await open(false); });
    afterAll(() => ctx.close());

    it('then the late entry supersedes the casebook signature through the follow-up\'s RECIST response, and the review names both', async () => {
      const { actors } = ctx.scenario;
      const signature = (await ctx.store.readStream(`subject-${STUDY_ID}-S001`)).find((e) => e.type === 'CasebookSigned')!;
      ctx.clock.set('2026-04-01T10:00:00.000Z');
      const late = (await executeCommand(ctx.store, {
        type: 'RecordTumorAssessment', studyId: STUDY_ID, subjectId: 'S001',
        payload: { assessmentDate: '2026-03-16', modality: 'CT', baseline: false, targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 28, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 18, nodal: false }], nonTargetStatus: 'present', newLesions: false },
      }, { actor: actors.ivan, source: 'api' }, { clock: ctx.clock })).events[0];

      const review = await reviewAuditTrail(ctx.store, { dataCuts: [DATA_CUT] });

      expect(findingsOf(review, 'change-after-sign-off')).toEqual([]);
      expect(findingsOf(review, 'derived-change-after-sign-off')).toEqual([
        expect.objectContaining({
          subjectId: 'S001',
          username: 'ivan',
          eventIds: [late.eventId, signature.eventId],
          summary: `TumorAssessmentRecorded recorded late by ivan supersedes, through what it derives from, the signature by ivan (approval) of the casebook through version ${String(signature.data.signedThroughVersion)}`,
        }),
      ]);
      const windowed = await reviewAuditTrail(ctx.store, { from: '2026-04-02', dataCuts: [DATA_CUT] });
      expect(findingsOf(windowed, 'derived-change-after-sign-off')).toEqual([]);
    });
  });
});
