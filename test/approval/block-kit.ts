import { expect } from 'vitest';

/**
 * Checks a message against the Block Kit rules fledge relies on (api.slack.com/reference/block-kit):
 * known block types, text objects of the right kind, the documented length limits, buttons with
 * http(s) URLs and unique action ids. Throws (via expect) on the first violation.
 */
export function expectWellFormedBlockKit(message: unknown): void {
  const m = message as { text?: unknown; blocks?: unknown };
  expect(typeof m.text, 'fallback text').toBe('string');
  expect(Array.isArray(m.blocks), 'blocks').toBe(true);
  const blocks = m.blocks as Record<string, unknown>[];
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  const actionIds = new Set<string>();
  for (const block of blocks) {
    switch (block['type']) {
      case 'header':
        expectText(block['text'], 'plain_text', 150);
        break;
      case 'section': {
        expect(block['text'] !== undefined || block['fields'] !== undefined, 'a section has text or fields').toBe(true);
        if (block['text'] !== undefined) expectText(block['text'], 'mrkdwn', 3000);
        if (block['fields'] !== undefined) {
          const fields = block['fields'] as unknown[];
          expect(fields.length).toBeLessThanOrEqual(10);
          for (const field of fields) expectText(field, 'mrkdwn', 2000);
        }
        break;
      }
      case 'actions': {
        const elements = block['elements'] as Record<string, unknown>[];
        expect(elements.length).toBeGreaterThan(0);
        expect(elements.length).toBeLessThanOrEqual(25);
        for (const element of elements) {
          expect(element['type']).toBe('button');
          expectText(element['text'], 'plain_text', 75);
          expect(String(element['url'])).toMatch(/^https?:\/\//);
          expect(String(element['url']).length).toBeLessThanOrEqual(3000);
          expect(typeof element['action_id']).toBe('string');
          expect(actionIds.has(element['action_id'] as string), 'action ids are unique').toBe(false);
          actionIds.add(element['action_id'] as string);
          if (element['style'] !== undefined) expect(['primary', 'danger']).toContain(element['style']);
        }
        break;
      }
      case 'context': {
        const elements = block['elements'] as unknown[];
        expect(elements.length).toBeGreaterThan(0);
        expect(elements.length).toBeLessThanOrEqual(10);
        for (const element of elements) expectText(element, 'mrkdwn', 3000);
        break;
      }
      default:
        throw new Error(`unexpected block type ${String(block['type'])}`);
    }
  }
}

function expectText(value: unknown, type: 'plain_text' | 'mrkdwn', max: number): void {
  const text = value as { type?: unknown; text?: unknown };
  expect(text.type).toBe(type);
  expect(typeof text.text).toBe('string');
  expect((text.text as string).length).toBeGreaterThan(0);
  expect((text.text as string).length).toBeLessThanOrEqual(max);
}
