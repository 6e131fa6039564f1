/** checkExpiryUpdate: PATCH /api/v2/clients/{id}/credentials/{credential_id}, where only expires_at may change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExpiryUpdate } from './check-expiry-update.ts';
import { refusal } from '../../../test/support/credential-material.ts';

const now = new Date('2030-06-15T12:00:00.000Z');
const certNotAfter = new Date('2031-06-15T12:00:00.000Z');

function refused(value: unknown, code: string, context = { now, certNotAfter: null as Date | null }) {
  const error = refusal(() => checkExpiryUpdate(value as string, context));
  assert.equal(error.code, code, error.message);
  assert.equal(error.field, 'expires_at');
  return error;
}

describe('checkExpiryUpdate', () => {
  it('returns the new expiry for a future ISO 8601 date-time', () => {
    assert.deepEqual(checkExpiryUpdate('2030-07-01T00:00:00Z', { now, certNotAfter: null }), new Date('2030-07-01T00:00:00Z'));
    assert.deepEqual(checkExpiryUpdate('2030-07-01T02:00:00+02:00', { now, certNotAfter: null }), new Date('2030-07-01T00:00:00Z'));
  });

  it('null means "never expires" and is allowed, also for certificate credentials', () => {
    assert.equal(checkExpiryUpdate(null, { now, certNotAfter: null }), null);
    assert.equal(checkExpiryUpdate(null, { now, certNotAfter }), null);
  });

  it('accepts exactly the certificate notAfter', () => {
    assert.deepEqual(checkExpiryUpdate(certNotAfter.toISOString(), { now, certNotAfter }), certNotAfter);
  });

  it('expires_at_required: the field is absent (a missing field must not silently lift an expiry)', () => {
    refused(undefined, 'expires_at_required');
  });

  it('invalid_expires_at: unparsable or not a string', () => {
    for (const value of ['next week', '2030-07-01', '2030-07-01T00:00:00', '2030-02-29T00:00:00Z', 42, {}]) {
      refused(value, 'invalid_expires_at');
    }
  });

  it('expires_at_in_past: now or earlier', () => {
    refused('2020-01-01T00:00:00Z', 'expires_at_in_past');
    refused(now.toISOString(), 'expires_at_in_past');
  });

  it('expires_after_certificate: later than the certificate notAfter', () => {
    const error = refused('2031-06-15T12:00:00.001Z', 'expires_after_certificate', { now, certNotAfter });
    assert.match(error.message, /2031-06-15T12:00:00\.000Z/);
  });
});
