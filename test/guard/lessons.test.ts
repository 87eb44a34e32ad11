import { describe, expect, it } from 'vitest';
import { Lessons } from '../../src/guard/lessons.js';

describe('Lessons', () => {
  it('takes lessons at the next turn, in order, once each', async () => {
    const lessons = new Lessons();
    const taken: number[] = [];
    lessons.add(() => taken.push(1));
    lessons.add(() => taken.push(2));
    expect(taken).toEqual([]);
    expect(lessons.size).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toEqual([1, 2]);
    expect(lessons.size).toBe(0);
  });

  it('takes them at once when asked, and a lesson that throws stops none of the others', () => {
    const lessons = new Lessons();
    const taken: string[] = [];
    lessons.add(() => taken.push('first'));
    lessons.add(() => {
      throw new Error('a store that throws');
    });
    // A lesson whose event listener asks for the state again (stats() takes lessons).
    lessons.add(() => {
      taken.push('second');
      lessons.add(() => taken.push('queued by the second'));
      lessons.take();
    });
    lessons.take();
    expect(taken).toEqual(['first', 'second', 'queued by the second']);
    expect(lessons.size).toBe(0);
  });
});
