// Generates sequencer/tests/fixtures/strudel_mini.txt from the real Strudel
// implementation (@strudel/mini + @strudel/core, versions pinned in package.json).
//
// Run once, offline:   npm install && node generate.mjs
// The Rust tests only read the generated text file; they never call Strudel.

import { register } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// @strudel/core's dist bundle imports `@kabelsalat/web`, whose package.json
// "main" points at an IIFE build that Node cannot import as ESM (bundlers use
// its "module" field instead). Redirect that one specifier to the package's
// own ESM build. Nothing in kabelsalat is used by mini-notation parsing.
const hook = `export async function resolve(spec, ctx, next) {
  if (spec === '@kabelsalat/web') return next('@kabelsalat/web/dist/index.mjs', ctx);
  return next(spec, ctx);
}`;
register('data:text/javascript,' + encodeURIComponent(hook), import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', '..', 'sequencer', 'tests', 'fixtures', 'strudel_mini.txt');
const version = (pkg) =>
  JSON.parse(readFileSync(join(here, 'node_modules', '@strudel', pkg, 'package.json'), 'utf8')).version;

// Strudel prints a banner with console.log on load; keep stdout for our summary.
const realLog = console.log;
console.log = () => {};
const { mini } = await import('@strudel/mini');
console.log = realLog;

// ---------------------------------------------------------------------------
// Cases. `c(text, opts)`: opts.strudel = text given to Strudel when it differs
// from the Chronus text (euclid rotation is negated), opts.cycles (default 4),
// opts.empty = true for deliberate zero-event cases.
// ---------------------------------------------------------------------------
const items = [];
const section = (name) => items.push({ section: name });
const c = (pattern, opts = {}) => items.push({ pattern, ...opts });

section('sequences and nesting');
c('a');
c('a b');
c('a b c');
c('a b c d e');
c('a [b c]');
c('a [b c] d');
c('[a b] [c d]');
c('[a [b [c d]]] e');
c('a [b [c [d e]]]');
c('[[a b] c]');
c('[[[a]]]');
c('[a] [b] [c]');
c('~', { empty: true });
c('~ ~', { empty: true });
c('[~ ~] ~', { empty: true });
c('- -', { empty: true });
c('~ a');
c('a ~');
c('- a');
c('a - b [- c]');
c('a ~ b [~ c]');
c('[~ a] b');
c('~ [~ a] ~ b');
c('[a ~ ~ b] ~');
c('a [~ b] [~ ~ c]');
c('- - a -');
c('e5 [b4 c5] d5 [c5 b4 [d5 e5]]');
c('[b4 [~ c5] d5 e5]');

section('values');
c('c3 eb4 f#2 Bb1');
c('c e g b');
c('C#4 Db2 g#0 ab7');
c('0 1 -1 2.5 60');
c('0.25 -0.5 1.75 100');
c('bd sd hh cp');
c('bd:3 sd:1 hh:0');
c('c:maj e:min7');
c('a:b c:d g');
c('bd:3 [sd:1 sd:2]');
c('0:1 2:3');
c('bd:3:0.5 sd');
c('hello world');
c('X x X x');
c('x ~ x x');
c('x');
c('X');
c('60');

section('fast and slow with constants');
c('a*2');
c('a*3 b');
c('[a a a] b');
c('[a b]*2');
c('a*1.5');
c('[e5 b4 d5 c5]*2.75');
c('a/2');
c('[a b c]/3');
c('[a a a]/3 b');
c('[a b]/1.5');
c('[e5 b4 d5 c5]/2.75');
c('a b/2');
c('[a b c d]/2 e');
c('[a*2]/3');
c('a*2/3');
c('a/3*2');
c('a*0.5');
c('[a b]*3 c');
c('a*4 b*2');
c('[a b c]*2 d/2');
c('[c3 d3]/2');
c('c3*2');
c('[a b c d]*0.75');
c('[a [b c]*2]/2');
c('[a b]*2 [c d e]*3');
c('a*1');
c('[a b c]/1');
c('a/0.5');

section('patterned fast and slow');
c('a*<2 3>');
c('[a*<3 5>]*2');
c('a*[2 3]');
c('[a a a a a a a a]/[2 4]');
c('a/<2 4>', { cycles: 8 });
c('[a b]*<1 2 3>', { cycles: 6 });
c('a*<2 [3 4]>');
c('a*<1 2 4 8>');
c('[a b c]/<1 2>', { cycles: 8 });
c('a*[1 2 3]');
c('a*<1.5 2>');
c('a*<2 3>*2');
c('bd*<2 3 4> sd', { cycles: 6 });
c('a*[2 <3 4>]');
c('[a b c d]/[1 2]');
c('a*<2 [3 4]> b');
c('[a b]/<2 1>', { cycles: 8 });
c('a*<2 3 4>/2', { cycles: 6 });

section('alternation');
c('<a b>');
c('<a b c>', { cycles: 6 });
c('<a [b c]>');
c('<a <b c>>');
c('<a b>*2');
c('<a b>/2', { cycles: 8 });
c('<a b, c d e>', { cycles: 6 });
c('<a@2 b>', { cycles: 6 });
c('<a!2 b>', { cycles: 6 });
c('[<a b> <c d e>]', { cycles: 6 });
c('<a b c>*4', { cycles: 6 });
c('<e5 b4 d5 c5>');
c('<e5 b4 d5 c5 e5>', { cycles: 10 });
c('<e5 b4 d5 c5 a4 c5>*8');
c('<a ~ b>', { cycles: 6 });
c('<~ a>');
c('<a [b c] <d e f>>', { cycles: 12 });
c('<a b> c <d e f>', { cycles: 6 });
c('a <b c>');
c('<[a b] [c d e]>');
c('<a b c>/2', { cycles: 12 });
c('<a*2 b*3>');
c('<a b c d>*2');
c('<a@3 b>', { cycles: 8 });
c('<a _ b>', { cycles: 6 });
c('<a b>*1.5');
c('<<a b> <c d e>>', { cycles: 12 });
c('<a b c d e f g h>*2', { cycles: 8 });
c('<a b c d e f>/2', { cycles: 16 });
c('<[g3,b3,e4] [a3,c3,e4] [b3,d3,f#4] [b3,e4,g4]>*2');
c('<[g3,b3,e4]@2 [a3,c3,e4] [b3,d3,f#4]>*2');
c('<[g3,b3,e4]!2 [a3,c3,e4] [b3,d3,f#4]>*2');
c('<g3 b3 e4 [a3,c3,e4] [b3,d3,f#4]>*2', { cycles: 5 });
c('<[g3,b3,e4]/2 [a3,c3,e4] [b3,d3,f#4]>*2', { cycles: 6 });
c('<[g3,b3,e4]*2 [a3,c3,e4] [b3,d3,f#4]>*2');
c('<[g3,b3,e4] _ [a3,c3,e4] [b3,d3,f#4]>*2');

section('weights and elongation');
c('a@3 b');
c('a@2 b@3');
c('a@1.5 b');
c('a _ b _ _');
c('a @ b @ @');
c('[a b]@2 c');
c('a@3@2 b');
c('a b@0.5 c');
c('a@2 [b c]@3');
c('[a@2 b] c');
c('a _ _ b');
c('a _ b@2');
c('a@0.25 b');
c('~@3 a');
c('a@3 ~');
c('<a b>@2 c');
c('a _ [b c] _');
c('a@1 b');
c('a@2@2 b');
c('a @3 _ b');

section('replication');
c('a!3 b');
c('a ! ! b');
c('[<a b c>]!3 d', { cycles: 6 });
c('[<a b c>]!! d', { cycles: 6 });
c('<a b>!2');
c('a!3@2 b');
c('a!2*2 b');
c('[a b]!2');
c('a! b');
c('a!2 b!3');
c('a*2!2');
c('a!2/2');
c('<a b>!2 c');
c('a!1 b');
c('[a b c]!2 d');
c('a ! b !');
c('<a b>!3');
c('a!2@3 b');
c('a@2!2 b');
c('<a b c>!2 <d e>', { cycles: 6 });

section("euclid: Toussaint's table (mini.test.mjs)");
for (const [p, s] of [
  [1, 2], [1, 3], [1, 4], [4, 12], [2, 5], [3, 4], [3, 5], [3, 7], [3, 8], [4, 7], [4, 9], [4, 11],
  [5, 6], [5, 7], [5, 8], [5, 9], [5, 11], [5, 12], [5, 16], [7, 8], [7, 12], [7, 16], [9, 16],
  [11, 24], [13, 24],
]) {
  c(`x(${p},${s})`);
}
section('euclid: rotations, (pulses, steps, rotation) taken from the euclidRot doc examples');
c('x(7,16,14)', { strudel: 'x(7,16,-14)' });
c('x(11,24,14)', { strudel: 'x(11,24,-14)' });
c('x(13,24,5)', { strudel: 'x(13,24,-5)' });

section('euclid');
c('a(3,8)');
c('a(5,8)');
c('a(-3,8)');
c('a(3, 8)');
c('[a b](3,8)');
c('<a b>(3,8)');
c('a(<3 5>,8)');
c('a(3,<8 16>)');
c('[a(<3 5>, <8 16>)]*2');
c('a(3,8,2)', { strudel: 'a(3,8,-2)' });
c('a(5,8,<0 2>)', { strudel: 'a(5,8,<0 -2>)' });
c('a(3,8)*2');
c('a(3,8) b');
c('{a b c}(3,8)');
c('bd(3,8,0)');
c('bd(3,8,3), hh cp', { strudel: 'bd(3,8,-3), hh cp' });
c('bd(3,8,5), hh cp', { strudel: 'bd(3,8,-5), hh cp' });
c('e5(2,8) b4(3,8) d5(2,8) c5(3,8)');
c('bd(2,8), bd(7,8)');
c('bd(3,4) bd(3,13)');
c('a(0,8)', { empty: true });
c('a(8,8)');
c('a(1,1)');
c('a(-5,8)');
c('a(-1,4)');
c('a(3,8,1), b(3,8,7)', { strudel: 'a(3,8,-1), b(3,8,-7)' });
c('a(3,8,-1)', { strudel: 'a(3,8,1)' });
c('a(<3 5>,8,<0 2>)', { strudel: 'a(<3 5>,8,<0 -2>)' });
c('a(3,8,[0 2])', { strudel: 'a(3,8,[0 -2])' });
c('a(5,8,<1 3 5>)', { strudel: 'a(5,8,<-1 -3 -5>)', cycles: 6 });
c('[a b c](5,8)');
c('[a b c d](3,8)');
c('<a b c>(3,8)', { cycles: 6 });
c('a(3,8)/2');
c('[a(3,8)]/2');
c('a(5,16)*2');
c('a(3,8,2)*2', { strudel: 'a(3,8,-2)*2' });
c('a([3 5],8)');
c('a(3,[8 16])');
c('a(2,5) b(3,5)');
c('[a,b](3,8)');
c('a(3,8)@2 b');
c('a(3,8)!2');
c('[a b](<3 5>,8)');
c('a(3,8) [b c](2,5)');
c('[a*2](3,8)');
c('a(3,8,7)', { strudel: 'a(3,8,-7)' });
c('[a b](5,8,3)', { strudel: '[a b](5,8,-3)' });

section('polymeter');
c('{a b c}');
c('{a b, c d e}');
c('{a b c}%4');
c('{a b, c d e}%3');
c('{a b, c d e}%5');
c('{a b, c d e}%6');
c('{a b c, d e}*2');
c('{a b, c [d e] f}*3');
c('{a b, c d e}*3');
c('{a b c}%<4 8>');
c('{<a b> c d}', { cycles: 6 });
c('{a b c d e}%4');
c('{a b c}%2');
c('{a b c}%1.5');
c('{a, b c}');
c('{a b c}/2');
c('{a [b c] d}%2');
c('{a b c}%[2 4]');
c('{a b c}%4 d');
c('[{a b c}%4, e f]');
c('{a b c, d e f g}%2');
c('{a*2 b c}%4');
c('{a@2 b c}%4');
c('{a b@3}');
c('{~ a b}%4');
c('{a b c, d e}%<2 4>', { cycles: 6 });
c('{a b c}%1');
c('<{a b c}%2 d>', { cycles: 6 });

section('random');
c('a?', { cycles: 16 });
c('a*8?');
c('[a?]*8');
c('[a?0.2]*8');
c('a*16?0.7');
c('a? b? c? d?', { cycles: 8 });
c('[a|b|c]', { cycles: 16 });
c('a | b | c', { cycles: 16 });
c('[a|b] [a|b]', { cycles: 16 });
c('a | [b | c] | [d | e | f]', { cycles: 16 });
c('[a|b|c]*4', { cycles: 8 });
c('<a|b> c', { cycles: 8 });
c('<[a|b] c>', { cycles: 16 });
c('[<a b>|c] d', { cycles: 16 });
c('a*4?', { cycles: 8 });
c('[a b c d]?', { cycles: 8 });
c('{a b c}%8?', { cycles: 8 });
c('a(5,8)?', { cycles: 8 });
c('[a?]*4 b?', { cycles: 8 });
c('a*8?0.25', { cycles: 8 });
c('a*8?0.75', { cycles: 8 });
c('[a b]*4?', { cycles: 8 });
c('[a*4]?', { cycles: 8 });
c('a?0.5 b?0.5', { cycles: 8 });
c('a*4? b*4?', { cycles: 8 });
c('a*2? a*2?', { cycles: 8 });
c('[a|b|c|d]*8', { cycles: 8 });
c('a|b', { cycles: 16 });
c('[a|b]*2 [c|d]*3', { cycles: 8 });
c('<a|b|c>', { cycles: 16 });
c('[a|~]*4', { cycles: 8 });
c('[a | b c | d e f]', { cycles: 16 });
c('a*8?0.1', { cycles: 8 });
c('<a b>*4?', { cycles: 8 });
c('[a?, b?]*4', { cycles: 8 });
c('[bd|sd|hh]*4?', { cycles: 8 });
c('a(3,8)? [b|c]', { cycles: 8 });
c('a*3?0.6 b*5?', { cycles: 8 });
c('<a? b?>*2', { cycles: 8 });
c('[a b]?0.3', { cycles: 8 });
c('[0|1|2|3]*4', { cycles: 8 });
c('a*16?');
c('a*4?0', { cycles: 4 });
c('a*4?1', { cycles: 4, empty: true });
c('[a|b]?', { cycles: 16 });
c('[a? | b]*4', { cycles: 8 });
c('a*8?0.5 b', { cycles: 8 });
c('{a b c}%4?', { cycles: 8 });
c('[a b c]!2?', { cycles: 8 });
c('a/2?', { cycles: 16 });
c('a b [c|d|e]*2?', { cycles: 8 });

section('ranges');
c('0 .. 4');
c('0 .. 7');
c('3 .. 0');
c('-2 .. 2');
c('0 .. 3 8');
c('[0 .. 3]*2');
c('[<0 1> .. <2 4>]*2');
c('<0 .. 3>', { cycles: 8 });
c('0 .. 2 , 5');
c('[0 .. 7]/2');
c('1 .. 1');
c('0 .. 2 4 .. 6');
c('[0 .. 3] [4 .. 5]');
c('<0 .. 2> 3', { cycles: 6 });
c('0 .. <2 4>');
c('[0 .. 3]!2');
c('-3 .. -1');
c('[0 .. 4]*<1 2>');
c('<0 3> .. 5', { cycles: 4 });
c('[0 .. 2, 4 .. 7]');

section('stacks');
c('a,b,c');
c('[a,b,c] d');
c('a b, c d e');
c('[a, b c], d');
c('<[a,b] c>');
c('[a,b]*2');
c('[c3,e3,g3] [d3,f3,a3]');
c('c3,e3,g3');
c('[c3,e3,g3] f3');
c('[g3,b3,e4]');
c('a, b, [c d]');
c('[a b, c]*2');
c('[a, ~ b] c');
c('a, <b c>');
c('[bd, hh hh] sd');
c('a,b c,d e f');
c('[a,[b,c]] d');
c('[a,b]@2 c');
c('[a, a] b');
c('<a, b c>');

section('whitespace before modifiers, tabs, multiple spaces');
c('a *2');
c('a @2 b');
c('a !2');
c('a ?', { cycles: 8 });
c('a (3,8)');
c('a*2 b *3');
c('a\tb');
c('a\t\tb\tc');
c('a   b    c');
c('  a b');
c('[ a b ]');
c('< a b >');
c('{ a b , c d e }');
c('a( 3 , 8 )');
c('a *<2 3>');
c('[a b] /2');
c('a , b');
c('a\t*2 b');
c('a @ 3 b');
c('a ! 2 b');
c('[a  b]*2  c');

section('realistic live-coding lines');
c('bd*2 [~ sd] <hh hh*2>');
c('<[c3 e3] g3*2> ~ a3(3,8)');
c('[bd(3,8), hh*8?, ~ cp]', { cycles: 8 });
c('{bd sd, hh hh hh}%<4 8>');
c('<c3 [eb3 g3]>*2 [bb2|c4]', { cycles: 8 });
c('[0 .. 7]/2 8');
c('sd:<1 2>');
c('bd:3*2 sd:1(3,8)');
c('bd ~ ~ bd ~ ~ bd ~');
c('bd [~ bd] sd [~ ~ bd]');
c('bd*4, ~ sd ~ sd, hh*8');
c('[bd sd]*2, hh(5,8)');
c('<bd sd>*4 hh?', { cycles: 8 });
c('bd(3,8,2), hh*4, ~ cp', { strudel: 'bd(3,8,-2), hh*4, ~ cp' });
c('<0 2 4 7>*4 [0 .. 3]');
c('c3 [eb3 g3] <bb3 d4> ~');
c('[c3,eb3,g3]@3 [d3,f3,ab3]');
c('<[c3,e3,g3] [a2,c3,e3] [f2,a2,c3] [g2,b2,d3]>');
c('bd*2 <sd cp> [~ hh]*2');
c('[bd ~ bd ~] [~ sd]!2');
c('bd(<3 5>,8,<0 2>)', { strudel: 'bd(<3 5>,8,<0 -2>)' });
c('{bd sd cp}%4, hh*8');
c('<a3 c4 e4>(3,8) b3', { cycles: 6 });
c('[hh hh?]*4', { cycles: 8 });
c('<0 [1 2]>*2 3:1');
c('bd sd:2 [~ bd] sd:3');
c('[bd | cp | sd]*2 hh*4', { cycles: 8 });
c('<c4 e4 g4 b4>/2 ~', { cycles: 8 });
c('[bd*2, ~ sd]!2 <hh oh>');
c('[c2 c3]*4 <eb2 g2>');
c('[0 3 5 7]*<1 2> [10|12]', { cycles: 8 });
c('bd? sd? hh? cp?', { cycles: 8 });
c('[a b]*<2 3> c(3,8)');
c('<[bd sd] [bd bd sd]>*2, hh*<8 16>');
c('{0 2 4 5 7 9 11}%8');
c('[<c e g> <e g b>]*2', { cycles: 6 });
c('bd _ sd _ _ hh');
c('[bd sd]@3 hh!2');
c('bd:<0 1 2>*4');
c('sd:[1 2]');
c('<bd sd>:3');
c('[0 .. 3]*2 <5 7>');
c('a4 [~ c5] e5@2');
c('hh*16?0.3', { cycles: 8 });
c('bd(5,8)*2 ~');
c('[~ bd](3,8)');
c('<0 .. 3>*4 [~ 7]');
c('bd*<1 2> [sd cp]?', { cycles: 8 });
c('{c3 eb3 g3 bb3}%<3 5> c2');
c('[bd:1 bd:2]*2 sd:<3 4>(3,8)', { cycles: 4 });
c('n(3,8) <~ m> [o p]@0.5', { cycles: 4 });
c('<[e5 b4 d5 c5]*2 [e5 b4]/2>', { cycles: 8 });

// ---------------------------------------------------------------------------
// Lint the Chronus text against Chronus's deliberate differences.
// ---------------------------------------------------------------------------
function lint(text, strudel) {
  const bad = (why) => {
    throw new Error(`case ${JSON.stringify(text)}: ${why}`);
  };
  if (/[\^$]/.test(text)) bad('uses ^ or $');
  if (/\S\.\.|\.\.\S/.test(text)) bad('range .. must have spaces around it');
  for (const w of text.replace(/ \.\. /g, ' ').split(/[\s\[\]<>{}(),*\/!@?%:|]+/)) {
    if (w.includes('.') && !/^-?\d+\.\d+$/.test(w)) bad(`word ${JSON.stringify(w)} contains "."`);
    if (w.includes('_') && w !== '_') bad(`word ${JSON.stringify(w)} contains "_"`);
  }
  // Three-argument euclid with a non-zero rotation must come with a negated strudel: line.
  const rot = /\([^()]*,[^()]*,\s*([^()]*?)\s*\)/g;
  for (const m of text.matchAll(rot)) {
    if (m[1] !== '0' && strudel === undefined) bad('euclid rotation without a strudel: line');
  }
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------
function frac(f) {
  const s = f.toFraction();
  if (!/^-?\d+(\/\d+)?$/.test(s)) throw new Error(`unexpected fraction format ${s}`);
  return s;
}
function value(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    return v
      .map((x) => {
        if (typeof x === 'string') return x;
        if (typeof x === 'number') return String(x);
        throw new Error(`unsupported array element ${JSON.stringify(x)} in ${JSON.stringify(v)}`);
      })
      .join(':');
  }
  throw new Error(`unsupported value ${JSON.stringify(v)} (${typeof v})`);
}

const miniVersion = version('mini');
const coreVersion = version('core');
const out = [
  `# Generated by scripts/strudel/generate.mjs with @strudel/mini ${miniVersion}, @strudel/core ${coreVersion}. Do not edit by hand.`,
  '',
];
const skipped = [];
const seen = new Set();
let written = 0;
let pendingSection = null;

for (const item of items) {
  if (item.section) {
    pendingSection = item.section;
    continue;
  }
  const { pattern, strudel, cycles = 4, empty = false } = item;
  if (seen.has(pattern)) throw new Error(`duplicate case ${JSON.stringify(pattern)}`);
  seen.add(pattern);
  if (/[\n\r]/.test(pattern) || pattern.trim() === '' || pattern !== pattern.trimEnd()) {
    throw new Error(`case ${JSON.stringify(pattern)}: must be one line without trailing whitespace`);
  }
  if (strudel !== undefined && strudel === pattern) throw new Error(`case ${pattern}: strudel: line is identical`);
  lint(pattern, strudel);
  const src = strudel ?? pattern;
  let haps;
  try {
    haps = mini(src).queryArc(0, cycles).filter((h) => h.hasOnset());
  } catch (e) {
    skipped.push(`${JSON.stringify(src)}: ${String(e.message ?? e).split('\n')[0]}`);
    continue;
  }
  if (haps.length === 0 && !empty) {
    skipped.push(`${JSON.stringify(src)}: zero events over ${cycles} cycles`);
    continue;
  }
  if (haps.length > 0 && empty) throw new Error(`case ${pattern}: marked empty but has ${haps.length} events`);
  const events = haps.map((h) => ({ b: h.whole.begin, e: h.whole.end, v: value(h.value) }));
  events.sort((x, y) => x.b.compare(y.b) || x.e.compare(y.e) || (x.v < y.v ? -1 : x.v > y.v ? 1 : 0));

  if (pendingSection) {
    out.push(`# ${pendingSection}`, '');
    pendingSection = null;
  }
  out.push(`pattern: ${pattern}`);
  if (strudel !== undefined) out.push(`strudel: ${strudel}`);
  out.push(`cycles: ${cycles}`);
  for (const ev of events) out.push(`${frac(ev.b)} ${frac(ev.e)} ${ev.v}`);
  out.push('');
  written++;
}

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, out.join('\n') + '\n');
console.log(`@strudel/mini ${miniVersion}, @strudel/core ${coreVersion}`);
console.log(`wrote ${written} cases to ${OUT}`);
if (skipped.length) {
  console.log(`left out ${skipped.length} case(s):`);
  for (const s of skipped) console.log(`  ${s}`);
}
