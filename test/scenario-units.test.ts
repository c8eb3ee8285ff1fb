import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseRate, parseSignedDuration } from '../src/scenario/index.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['0s', 0],
  ])('reads %s as %i milliseconds', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['1.5h', '10 minutes', 'ten minutes', '600000', 'm', '-5s', ' 5s', '5S', '5 s', '', '99999999999999999999h'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('parseSignedDuration', () => {
  it.each([
    ['-5m', -300_000],
    ['90s', 90_000],
    ['+90s', 90_000],
    ['0ms', 0],
  ])('reads %s as %i milliseconds', (text, ms) => {
    expect(parseSignedDuration(text)).toBe(ms);
  });

  it('reads "-0s" as 0, not -0', () => {
    expect(Object.is(parseSignedDuration('-0s'), 0)).toBe(true);
  });

  it.each(['- 5m', '--5m', '-1.5h', '-5', '5 m', '-99999999999999999999h'])('rejects %j', (text) => {
    expect(parseSignedDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [600_000, '10m'],
    [1_500, '1500ms'],
    [90_000, '90s'],
    [7_200_000, '2h'],
    [5_400_000, '90m'],
    [0, '0ms'],
  ])('writes %i milliseconds as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_000, 3_600_000, 86_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('refuses negative or fractional milliseconds', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});

describe('parseRate', () => {
  it.each([
    ['30/min', 0.5],
    ['6/min', 0.1],
    ['2/s', 2],
    ['4/h', 4 / 3_600],
    ['0.5/s', 0.5],
    ['0/min', 0],
  ])('reads %s as %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 12);
  });

  it.each(['6 per minute', '6/m', '6/minute', '/s', '6/', '6', '-1/s', '1e3/s'])('rejects %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});
