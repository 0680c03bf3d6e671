import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicChanges, TopicListeners } from '../src/topics';

interface ITestTopics {
  status: { version: string };
  runs: number[];
}

describe('TopicListeners', () => {
  it('says which listener is first and which is last', () => {
    const topics = new TopicListeners<ITestTopics>();
    const a = topics.add('runs', () => undefined);
    const b = topics.add('runs', () => undefined);
    assert.equal(a.first, true);
    assert.equal(b.first, false);
    assert.deepEqual(topics.topics(), ['runs']);
    assert.equal(topics.remove('runs', a.handle), false);
    assert.equal(topics.remove('runs', b.handle), true);
    assert.deepEqual(topics.topics(), []);
  });

  it('counts one function added twice as two listeners', () => {
    const topics = new TopicListeners<ITestTopics>();
    const seen: number[][] = [];
    const listener = (runs: number[]) => void seen.push(runs);
    const a = topics.add('runs', listener);
    topics.add('runs', listener);
    assert.equal(topics.remove('runs', a.handle), false);
    topics.publish('runs', [1]);
    assert.deepEqual(seen, [[1]]);
  });

  it('does not count a handle removed twice', () => {
    const topics = new TopicListeners<ITestTopics>();
    const a = topics.add('runs', () => undefined);
    topics.add('runs', () => undefined);
    topics.remove('runs', a.handle);
    assert.equal(topics.remove('runs', a.handle), false);
    assert.deepEqual(topics.topics(), ['runs']);
  });

  it('hands a new listener the latest value at once', () => {
    const topics = new TopicListeners<ITestTopics>();
    topics.add('status', () => undefined);
    topics.publish('status', { version: '2.21' });
    const seen: string[] = [];
    topics.add('status', data => seen.push(data.version));
    assert.deepEqual(seen, ['2.21']);
    assert.deepEqual(topics.latest('status'), { version: '2.21' });
  });

  it('keeps no value for a topic nobody listens to', () => {
    const topics = new TopicListeners<ITestTopics>();
    topics.publish('runs', [1]); // crossed our unsubscribe
    assert.equal(topics.latest('runs'), undefined);
    const { handle } = topics.add('runs', () => undefined);
    topics.publish('runs', [2]);
    topics.remove('runs', handle);
    assert.equal(topics.latest('runs'), undefined);
    const seen: number[][] = [];
    topics.add('runs', runs => seen.push(runs));
    assert.deepEqual(seen, []); // not the stale [2]
  });

  it('forgets values but keeps listeners (another kernel process)', () => {
    const topics = new TopicListeners<ITestTopics>();
    const seen: number[][] = [];
    topics.add('runs', runs => seen.push(runs));
    topics.publish('runs', [1]);
    topics.forget();
    assert.equal(topics.latest('runs'), undefined);
    assert.deepEqual(topics.topics(), ['runs']);
    topics.publish('runs', [2]);
    assert.deepEqual(seen, [[1], [2]]);
  });

  it('runs the other listeners when one throws, and reports it', () => {
    const errors: string[] = [];
    const topics = new TopicListeners<ITestTopics>((error, topic) =>
      errors.push(`${String(topic)}: ${(error as Error).message}`)
    );
    const seen: number[][] = [];
    topics.add('runs', () => {
      throw new Error('broken view');
    });
    topics.add('runs', runs => seen.push(runs));
    topics.publish('runs', [1]);
    assert.deepEqual(seen, [[1]]);
    assert.deepEqual(errors, ['runs: broken view']);
  });

  it('lets a listener remove itself while the topic is published', () => {
    const topics = new TopicListeners<ITestTopics>();
    const seen: string[] = [];
    const first = topics.add('runs', () => {
      seen.push('first');
      topics.remove('runs', first.handle);
    });
    topics.add('runs', () => seen.push('second'));
    topics.publish('runs', [1]);
    topics.publish('runs', [2]);
    assert.deepEqual(seen, ['first', 'second', 'second']);
  });
});

describe('topicChanges', () => {
  it('subscribes what is wanted and unsubscribes what is not', () => {
    assert.deepEqual(topicChanges(['status', 'runs'], ['runs', 'jobs']), {
      subscribe: ['status'],
      unsubscribe: ['jobs']
    });
  });

  it('asks nothing when the kernel already publishes what is wanted', () => {
    assert.deepEqual(topicChanges(['runs'], new Set(['runs'])), {
      subscribe: [],
      unsubscribe: []
    });
  });
});
