import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { checkTreeHeadSignature, noteKeyId, openTreeHead, parseTreeHead, signTreeHead, verifyNoteSignature, type TreeHead } from './checkpoint-note';
import { EMPTY_ROOT } from './rfc9162';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const head: TreeHead = {
  origin: 'trial-ledger/0123456789abcdef',
  treeSize: 1234,
  rootHash: EMPTY_ROOT.toString('base64'),
  time: '2026-11-30T18:00:00.000Z',
  chainHash: 'ab'.repeat(32),
};

describe('signed tree heads (C2SP tlog-checkpoint in a signed note)', () => {
  it('matches the signed-note spec example (key ID and signature of golang.org/x/mod/sumdb/note)', () => {
    // Verifier key PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW: 0x01 ‖ raw Ed25519 key.
    const raw = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64').subarray(1);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    expect(noteKeyId('PeterNeumann', key).toString('hex')).toBe('c74f20a3');
    const note =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n" +
      '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    expect(verifyNoteSignature(note, 'PeterNeumann', key)).toBe('valid');
    expect(verifyNoteSignature(note.replace('problem,', 'problem;'), 'PeterNeumann', key)).toBe('bad-signature');
  });

  it('writes origin, size, base64 root and the time and chain extension lines, then the signature', () => {
    const signed = signTreeHead(head, privateKey, publicKey);
    const [body, signature] = signed.note.split('\n\n');
    expect(body.split('\n')).toEqual([head.origin, '1234', head.rootHash, `time ${head.time}`, `chain 1234 ${head.chainHash}`]);
    expect(signature).toMatch(new RegExp(`^\u2014 ${head.origin} [A-Za-z0-9+/]{91}=\n$`));
    expect(openTreeHead(signed.note, publicKey)).toEqual(signed);
  });

  it('refuses an altered note, another key, and malformed or hostile text', () => {
    const { note } = signTreeHead(head, privateKey, publicKey);
    expect(checkTreeHeadSignature(note.replace('\n1234\n', '\n1235\n').replace('chain 1234', 'chain 1235'), publicKey)).toBe('bad-signature');
    expect(checkTreeHeadSignature(note, generateKeyPairSync('ed25519').publicKey)).toBe('unknown-key');
    expect(() => openTreeHead(note.replace('time 2026', 'time 2027'), publicKey)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.BAD_SIGNATURE' }));
    for (const bad of [
      '',
      note.replace('\n\n', '\n'),
      note.replace('\n1234\n', '\n01234\n'),
      note.replace(head.rootHash, 'AAAA'),
      note.replace('chain 1234', 'chain 99'),
      note.replace('time 2026-11-30T18:00:00.000Z', 'time yesterday'),
      note.replace(head.origin, 'trial\u202eledger'),
      note.replace('\n1234\n', '\n1234\r\n'),
      `__proto__\n1\n${head.rootHash}\n\n`,
    ]) {
      expect(() => parseTreeHead(bad)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
    }
  });

  it('refuses an origin a key name cannot carry', () => {
    expect(() => signTreeHead({ ...head, origin: 'has space' }, privateKey, publicKey)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
    expect(() => signTreeHead({ ...head, origin: 'a+b' }, privateKey, publicKey)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
  });
});
