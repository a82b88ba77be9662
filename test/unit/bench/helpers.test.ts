/** The benchmark's pure helpers: percentiles, the Prometheus reader and the SVG writer. */
import { percentile, round, summarize } from '../../../bench/lib/stats.js';
import { delta, isOperatorResource, parseSamples, writesByVerb } from '../../../bench/lib/prom.js';
import { escapeXml, niceMax, renderSvg } from '../../../bench/lib/svg.js';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5], 100)).toBe(5);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBeCloseTo(19.05);
    expect(percentile([7], 95)).toBe(7);
  });
  it('is undefined for no values and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
  it('summarizes', () => {
    expect(summarize([3, 1, 2])).toEqual({ n: 3, min: 1, mean: 2, p50: 2, p95: 2.9, max: 3 });
    expect(summarize([])).toBeUndefined();
    expect(round(0.1 + 0.2, 2)).toBe(0.3);
  });
});

describe('apiserver metrics', () => {
  const text = [
    '# HELP apiserver_request_total [STABLE] Counter of apiserver requests',
    '# TYPE apiserver_request_total counter',
    'apiserver_request_total{code="201",component="apiserver",dry_run="",group="ec2.services.k8s.aws",resource="vpcs",scope="resource",subresource="",verb="APPLY",version="v1alpha1"} 12',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="marketplace.platform.dev",resource="marketplaceenvironments",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 3',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} 40',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="GET",version="v1"} 9',
    'apiserver_request_total_other{verb="PUT"} 5',
  ].join('\n');
  it('parses samples and sums write verbs', () => {
    expect(parseSamples(text, 'apiserver_request_total')).toHaveLength(4);
    expect(writesByVerb(text)).toMatchObject({ APPLY: 12, PATCH: 3, PUT: 40, POST: 0 });
    expect(writesByVerb(text, isOperatorResource)).toMatchObject({ APPLY: 12, PATCH: 3, PUT: 0 });
    expect(delta({ PUT: 1, PATCH: 2 }, { PUT: 4, APPLY: 1 })).toEqual({ PUT: 3, PATCH: -2, APPLY: 1 });
  });
});

describe('svg', () => {
  it('escapes text and picks nice axis maxima', () => {
    expect(escapeXml('a<b & "c"')).toBe('a&lt;b &amp; &quot;c&quot;');
    expect([niceMax(0), niceMax(7), niceMax(180), niceMax(2.1)]).toEqual([1, 10, 200, 2.5]);
  });
  it('draws one rect per bar with heights proportional to the values', () => {
    const svg = renderSvg([{ title: 'P2 <throughput>', unit: 'children/s', groups: [{ label: 'N=100', note: 'ratio 0.5', bars: [{ label: 'controller', value: 50 }, { label: 'baseline', value: 100 }] }] }], 'load 1.0');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('P2 &lt;throughput&gt;');
    const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#[0-9a-f]+"><title>/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]! / heights[0]!).toBeCloseTo(2, 1);
    // Every opened element is closed (a cheap well-formedness check).
    const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});
