import fc from 'fast-check';
import { pathSegment, queryString, unsafeNameReason } from '../../lambdas/ontap/names';

describe('names in URLs', () => {
  it('refuses query operators and control characters, accepts the odd names ONTAP allows', () => {
    for (const ok of ['alice', 'joe.smith', 'o.brien-2', 'ops@svm1', 'CORP\\kim', 'a/b', 'x?y', 'a&b', '%2F'])
      expect(unsafeNameReason(ok)).toBeNull();
    for (const bad of ['*', 'a|b', '!a', '<a', 'a>', 'a..b', '..', '', 'a\u0000'])
      expect(unsafeNameReason(bad)).not.toBeNull();
  });

  it('encodes any path segment so it decodes back to itself and holds no separator', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (s) => {
        const seg = pathSegment(s);
        expect(seg).not.toMatch(/[/?#&\\]/);
        expect(seg === '.' || seg === '..').toBe(false);
        expect(decodeURIComponent(seg)).toBe(s);
      }),
    );
  });

  it('encodes query values so they decode back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const q = queryString({ name: a, 'owner.name': b, skipped: undefined });
        const parsed = new URLSearchParams(q.slice(1));
        expect([...parsed.keys()]).toEqual(['name', 'owner.name']);
        expect(parsed.get('name')).toBe(a);
        expect(parsed.get('owner.name')).toBe(b);
      }),
    );
  });
});
