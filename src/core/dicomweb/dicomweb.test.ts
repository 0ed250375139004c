/**
 * Pure parts of the DICOMweb client: URL building, DICOM JSON parsing,
 * multipart/related splitting, meta-header checks, error classification.
 * The client against a real server is tested in orthanc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PlannerError, errorCodeOf } from '../shared/errors';
import { writeCtSlice, resolveCtSeriesMeta } from '../dicom/writeCtSeries';
import {
  basicAuthorization,
  buildInstancePath,
  buildSeriesSearchPath,
  buildStudySearchPath,
  errorForFailure,
  errorForStatus,
  formatPersonName,
  isRetryable,
  normalizeBaseUrl,
  originOf,
  parseContentType,
  parseInstances,
  parseMultipartRelated,
  parseSeriesList,
  parseStudies,
  readPart10Header,
} from './index';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function multipart(boundary: string, bodies: Uint8Array[], opts: { leadingCrlf?: boolean; close?: boolean } = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  if (opts.leadingCrlf) chunks.push(enc('\r\n'));
  for (const b of bodies) {
    chunks.push(enc(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${b.length}\r\n\r\n`), b, enc('\r\n'));
  }
  if (opts.close !== false) chunks.push(enc(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    return errorCodeOf(e);
  }
  return 'no error';
}

function sampleSlice(sopUid = '1.2.3.4.5'): Uint8Array {
  return writeCtSlice({
    meta: resolveCtSeriesMeta({ patientName: 'TEST^ONE', patientId: 'P1', seriesDescription: 's', uidSeed: 'dicomweb-test' }),
    rows: 4,
    columns: 3,
    pixelSpacingMm: [1, 1],
    imagePositionLps: [0, 0, 0],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    sliceThicknessMm: 1,
    instanceNumber: 1,
    sopInstanceUid: sopUid,
    storedPixels: new Int16Array(12).map((_, n) => n * 10 - 50),
  });
}

describe('base URL and authorization', () => {
  it('accepts http(s) and same-origin paths, strips trailing slashes', () => {
    expect(normalizeBaseUrl(' http://127.0.0.1:8042/dicom-web/ ')).toBe('http://127.0.0.1:8042/dicom-web');
    expect(normalizeBaseUrl('/dicom-web')).toBe('/dicom-web');
    expect(originOf('HTTPS://Pacs.Example.org:443/dicom-web')).toBe('https://pacs.example.org:443');
    expect(originOf('/dicom-web')).toBe('');
  });

  it('refuses other schemes, protocol-relative URLs and credentials in the URL, saying why', () => {
    expect(() => normalizeBaseUrl('ftp://x/y')).toThrow(/must start with http:\/\/, https:\/\/ or \//);
    expect(() => normalizeBaseUrl('//evil.example/dicom-web')).toThrow(/is not a DICOMweb address/);
    expect(() => normalizeBaseUrl('http://u:p@host/dicom-web')).toThrow(/user name and password in their own fields/);
    expect(() => normalizeBaseUrl('')).toThrow(/Enter the DICOMweb address/);
    expect(() => normalizeBaseUrl('http://host/dicom-web?x=1')).toThrow(/must not contain \? or #/);
  });

  it('encodes basic auth as RFC 7617 UTF-8 base64 (same as node Buffer)', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes(':')), fc.string(), (user, pass) => {
        expect(basicAuthorization(user, pass)).toBe(`Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`);
      }),
      { numRuns: 300 },
    );
    expect(() => basicAuthorization('a:b', 'c')).toThrow(/cannot contain ":"/);
  });
});

describe('QIDO-RS query building', () => {
  it('builds a study search with prefix name match, date range, limit and include fields', () => {
    const path = buildStudySearchPath({ patientName: 'Doe', patientId: 'P 1&2', studyDateFrom: '2024-01-31', studyDateTo: '20241231', accessionNumber: 'A1' });
    expect(path.startsWith('studies?')).toBe(true);
    const params = new URLSearchParams(path.slice('studies?'.length));
    expect(params.get('PatientName')).toBe('Doe*');
    expect(params.get('PatientID')).toBe('P 1&2');
    expect(params.get('StudyDate')).toBe('20240131-20241231');
    expect(params.get('AccessionNumber')).toBe('A1');
    expect(params.get('limit')).toBe('100');
    expect(params.getAll('includefield')).toContain('00081030');
  });

  it('keeps explicit wildcards, handles open-ended and single-day ranges', () => {
    const p = (q: Parameters<typeof buildStudySearchPath>[0]): URLSearchParams => new URLSearchParams(buildStudySearchPath(q).slice(8));
    expect(p({ patientName: 'D?e*' }).get('PatientName')).toBe('D?e*');
    expect(p({ studyDateFrom: '2024-05-01' }).get('StudyDate')).toBe('20240501-');
    expect(p({ studyDateTo: '2024-05-01' }).get('StudyDate')).toBe('-20240501');
    expect(p({ studyDateFrom: '2024-05-01', studyDateTo: '2024-05-01' }).get('StudyDate')).toBe('20240501');
    expect(p({}).get('PatientName')).toBeNull();
  });

  it('refuses bad dates, reversed ranges and unsearchable characters with the field name', () => {
    expect(() => buildStudySearchPath({ studyDateFrom: '31/01/2024' })).toThrow(/Study date from "31\/01\/2024" is not a date/);
    expect(() => buildStudySearchPath({ studyDateFrom: '2024-13-01' })).toThrow(/not a valid date/);
    expect(() => buildStudySearchPath({ studyDateFrom: '2024-05-02', studyDateTo: '2024-05-01' })).toThrow(/is after study date to/);
    expect(() => buildStudySearchPath({ patientId: 'a\\b' })).toThrow(/Patient ID contains a character/);
    expect(() => buildStudySearchPath({ limit: 0 })).toThrow(/limit 0/);
  });

  it('puts only DICOM UIDs in paths (no path traversal from a hostile answer)', () => {
    expect(buildSeriesSearchPath('1.2.3')).toBe('studies/1.2.3/series?includefield=0008103E&includefield=00200011&includefield=00201209&includefield=00080060');
    expect(buildInstancePath({ studyUid: '1.2', seriesUid: '3.4', sopInstanceUid: '5.6' })).toBe('studies/1.2/series/3.4/instances/5.6');
    expect(codeOf(() => buildSeriesSearchPath('../../admin'))).toBe('pacs/bad-request');
    expect(codeOf(() => buildInstancePath({ studyUid: '1.2', seriesUid: '3.4', sopInstanceUid: '5.6/../../x' }))).toBe('pacs/bad-request');
    expect(codeOf(() => buildSeriesSearchPath('1'.repeat(65)))).toBe('pacs/bad-request');
  });
});

describe('DICOM JSON answers', () => {
  const study = {
    '0020000D': { vr: 'UI', Value: ['1.2.840.1'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
    '00100020': { vr: 'LO', Value: ['P1'] },
    '00080020': { vr: 'DA', Value: ['20240102'] },
    '00080050': { vr: 'SH' },
    '00080061': { vr: 'CS', Value: ['CT', 'SR'] },
    '00201206': { vr: 'IS', Value: [2] },
    '00201208': { vr: 'IS', Value: ['81'] },
  };

  it('reads studies, tolerating absent values and numbers sent as strings', () => {
    const [s] = parseStudies([study]);
    expect(s).toEqual({
      studyUid: '1.2.840.1',
      patientName: 'DOE^JANE',
      patientId: 'P1',
      patientBirthDate: '',
      studyDate: '20240102',
      accessionNumber: '',
      description: '',
      modalities: ['CT', 'SR'],
      seriesCount: 2,
      instanceCount: 81,
    });
    expect(formatPersonName('DOE^JANE^^DR')).toBe('DOE, JANE, DR');
    expect(parseStudies(null)).toEqual([]);
  });

  it('sorts series by number and instances by instance number', () => {
    const series = parseSeriesList(
      [
        { '0020000E': { vr: 'UI', Value: ['1.2.2'] }, '00200011': { vr: 'IS', Value: [2] }, '00080060': { vr: 'CS', Value: ['CT'] } },
        { '0020000E': { vr: 'UI', Value: ['1.2.1'] }, '00200011': { vr: 'IS', Value: [1] }, '00201209': { vr: 'IS', Value: [80] } },
      ],
      '1.2',
    );
    expect(series.map((s) => s.seriesUid)).toEqual(['1.2.1', '1.2.2']);
    expect(series[0]!.instanceCount).toBe(80);
    const inst = parseInstances(
      [
        { '00080018': { vr: 'UI', Value: ['9.2'] }, '00200013': { vr: 'IS', Value: [2] } },
        { '00080018': { vr: 'UI', Value: ['9.1'] }, '00200013': { vr: 'IS', Value: [1] } },
      ],
      '1.2',
      '1.2.1',
    );
    expect(inst.map((i) => i.sopInstanceUid)).toEqual(['9.1', '9.2']);
  });

  it('refuses malformed answers as pacs/bad-response, never a TypeError', () => {
    expect(codeOf(() => parseStudies({ not: 'a list' }))).toBe('pacs/bad-response');
    expect(codeOf(() => parseStudies([42]))).toBe('pacs/bad-response');
    expect(codeOf(() => parseStudies([{ ...study, '0020000D': { vr: 'UI', Value: ['../x'] } }]))).toBe('pacs/bad-response');
    expect(codeOf(() => parseStudies([{ ...study, '00100020': { vr: 'LO', Value: 'P1' } }]))).toBe('pacs/bad-response');
    expect(codeOf(() => parseInstances([{ '00080018': { Value: ['1.1'] } }, { '00080018': { Value: ['1.1'] } }], '1', '2'))).toBe('pacs/bad-response');
    // Arbitrary JSON: only PlannerErrors (or a valid parse).
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        for (const parse of [parseStudies, (j: unknown) => parseSeriesList(j, '1'), (j: unknown) => parseInstances(j, '1', '2')]) {
          try {
            parse(json);
          } catch (e) {
            expect(e).toBeInstanceOf(PlannerError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('multipart/related', () => {
  it('parses Content-Type parameters with quotes and semicolons inside them', () => {
    const ct = parseContentType('Multipart/Related; type="application/dicom; x=1"; boundary="abc;def"');
    expect(ct.mediaType).toBe('multipart/related');
    expect(ct.params).toEqual({ type: 'application/dicom; x=1', boundary: 'abc;def' });
  });

  it('splits parts into views of the input, bodies byte-exact (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }),
        fc.stringMatching(/^[A-Za-z0-9'()+_,.\-=?]{1,60}$/),
        fc.boolean(),
        (bodies, boundary, leadingCrlf) => {
          // A boundary must not occur inside a body (the sender chooses it so).
          fc.pre(bodies.every((b) => !Buffer.from(b).includes(`--${boundary}`)));
          const bytes = multipart(boundary, bodies, { leadingCrlf });
          const parts = parseMultipartRelated(bytes, `multipart/related; type="application/dicom"; boundary=${boundary}`);
          expect(parts.map((p) => Array.from(p.body))).toEqual(bodies.map((b) => Array.from(b)));
          for (const p of parts) {
            expect(p.body.buffer).toBe(bytes.buffer);
            expect(p.contentType).toBe('application/dicom');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a body cut anywhere before the closing delimiter', () => {
    const bytes = multipart('B0UND', [enc('x'.repeat(100)), enc('y'.repeat(50))]);
    const ct = 'multipart/related; boundary=B0UND';
    const closeAt = bytes.length - '--B0UND--\r\n'.length;
    for (let cut = 0; cut < closeAt + 9; cut++) {
      expect(codeOf(() => parseMultipartRelated(bytes.subarray(0, cut), ct)), `cut at ${cut}`).toBe('pacs/bad-response');
    }
    expect(parseMultipartRelated(bytes, ct)).toHaveLength(2);
  });

  it('refuses a missing or wrong Content-Type', () => {
    expect(() => parseMultipartRelated(enc('abc'), 'application/json')).toThrow(/expected multipart\/related/);
    expect(() => parseMultipartRelated(enc('abc'), 'multipart/related')).toThrow(/no boundary/);
  });

  it('never throws anything but a PlannerError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          parseMultipartRelated(bytes, 'multipart/related; boundary=ab');
        } catch (e) {
          expect(e).toBeInstanceOf(PlannerError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Part 10 meta header check', () => {
  it('reads SOP Instance UID and transfer syntax from a file our writer made', () => {
    const h = readPart10Header(sampleSlice('1.2.3.44'), 'slice 1');
    expect(h.sopInstanceUid).toBe('1.2.3.44');
    expect(h.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(h.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.2');
  });

  it('refuses HTML, truncated and preamble-less files naming the slice', () => {
    expect(() => readPart10Header(enc('<html>login</html>'), 'slice 7 of 80')).toThrow(/slice 7 of 80 is not a DICOM file/);
    const good = sampleSlice();
    expect(codeOf(() => readPart10Header(good.subarray(0, 150), 'x'))).toBe('pacs/bad-response');
    expect(codeOf(() => readPart10Header(good.subarray(128), 'x'))).toBe('pacs/bad-response');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), (cut) => {
        try {
          readPart10Header(good.subarray(0, cut), 'x');
        } catch (e) {
          expect(errorCodeOf(e)).toBe('pacs/bad-response');
        }
      }),
    );
  });
});

describe('error classification', () => {
  it('maps statuses to codes and messages a user can act on', () => {
    expect(errorForStatus(401, 'Unauthorized', 'the study list').message).toMatch(/refused the user name or password \(HTTP 401\).*Check the credentials/);
    expect(errorForStatus(403, 'Forbidden', 'x').code).toBe('pacs/auth');
    expect(errorForStatus(404, 'Not Found', 'the series list').message).toMatch(/does not end with the DICOMweb root/);
    expect(errorForStatus(503, 'Service Unavailable', 'slice 3 of 9', 'overloaded').message).toMatch(/HTTP 503.*slice 3 of 9.*overloaded/);
    expect(errorForStatus(406, 'Not Acceptable', 'x').code).toBe('pacs/bad-response');
    expect(errorForStatus(400, 'Bad Request', 'x').code).toBe('pacs/bad-request');
  });

  it('retries network, server and malformed-body failures only', () => {
    expect(isRetryable(errorForFailure(new TypeError('fetch failed'), 'x', false))).toBe(true);
    expect(isRetryable(errorForStatus(500, '', 'x'))).toBe(true);
    expect(isRetryable(errorForStatus(401, '', 'x'))).toBe(false);
    expect(isRetryable(errorForStatus(404, '', 'x'))).toBe(false);
    expect(errorForFailure(new Error('The operation was aborted'), 'the study list', true).code).toBe('pacs/cancelled');
    expect(isRetryable(errorForFailure(new Error('aborted'), 'x', true))).toBe(false);
    expect(errorForFailure(new TypeError('fetch failed'), 'slice 2 of 5', false).message).toMatch(/could not be reached or stopped answering while sending slice 2 of 5/);
  });
});

describe('STOW-RS request body', () => {
  it('builds a multipart/related body that the WADO parser reads back part for part (any bytes)', async () => {
    const { buildMultipartRelated, parseMultipartRelated } = await import('./multipart');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 4 }), (files) => {
        const { body, contentType } = buildMultipartRelated(files, 'psp-12345');
        expect(contentType).toBe('multipart/related; type="application/dicom"; boundary=psp-12345');
        const parts = parseMultipartRelated(body, contentType);
        expect(parts.map((p) => p.contentType)).toEqual(files.map(() => 'application/dicom'));
        expect(parts.map((p) => Array.from(p.body))).toEqual(files.map((f) => Array.from(f)));
      }),
    );
    const inside = new TextEncoder().encode('abc--psp-1xyz');
    expect(() => buildMultipartRelated([inside], 'psp-1')).toThrow(/contains the multipart boundary/);
  });
});
