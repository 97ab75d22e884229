/**
 * A certificate for a Supplier cell issued by the test PKI's Organisation CA with one thing
 * changed (its role, its key usage, or any field `issue` can change), for the cell-profile
 * tests in code and through `trust build`.
 */
import { SmkiRole } from '../../device/pki/index.js';
import { ext, smkiName } from '../../tools/pki/cert-builder.js';
import { SMKI_TEST_POLICY } from '../../tools/pki/test-pki.js';
import { testPki } from '../image/signed-fixture.js';
import { issue, type Change, type Issued } from './fixtures.js';

export type CellChange = Change & { role?: number; usage?: ('digitalSignature' | 'keyAgreement')[] };

export function supplierCell(label: string, entityId: Uint8Array, change: CellChange = {}): Issued {
  const pki = testPki();
  const ca: Issued = {
    der: pki.orgCa.der,
    name: smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' }),
    key: pki.orgCa,
    keyId: pki.orgCa.keyId,
  };
  return issue(
    label,
    smkiName(change.role ?? SmkiRole.supplier, { entityId, cn: label }),
    ca,
    (kid, akid) => [
      ext.keyUsage(change.usage ?? ['digitalSignature']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(akid),
    ],
    change,
  );
}
