import { describe, expect, it } from 'vitest';
import { failureText } from '../src/uploadJob';

describe('failureText', () => {
  it('puts the server reason in a sentence', () => {
    expect(failureText('the file is not a JPEG or PNG image.')).toBe(
      'Facelens could not analyse this photo: the file is not a JPEG or PNG image.',
    );
    expect(failureText(null)).toBe('Facelens could not analyse this photo.');
    expect(failureText('  ')).toBe('Facelens could not analyse this photo.');
  });

  it('a comparison says it could not compare', () => {
    expect(failureText('the reference photo was deleted', true)).toBe('Facelens could not compare this photo: the reference photo was deleted.');
    expect(failureText('', true)).toBe('Facelens could not compare this photo.');
  });
});
