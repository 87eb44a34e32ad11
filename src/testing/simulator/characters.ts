/**
 * A server that charges from characters instead of tokens (the `promptCount: { charactersPerToken }`
 * mode): the prompt's text is `ceil(characters / k)` tokens, with no tokenizer and no chat-format
 * overhead. Relays and compatible servers often estimate this way, and the client is not told `k`;
 * it can only learn the scale from `usage.prompt_tokens`, which reports the same count.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters of a message's `content`: a string, or the text of its parts (images count none). */
function contentCharacters(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content) {
    if (typeof part === 'string') total += part.length;
    else if (isRecord(part) && typeof part.text === 'string') total += part.text.length;
  }
  return total;
}

/** Characters of the items of `messages` or `input`: their content (or a tool output) only. */
function itemsCharacters(items: unknown): number {
  if (typeof items === 'string') return items.length;
  if (!Array.isArray(items)) return 0;
  let total = 0;
  for (const item of items) {
    if (typeof item === 'string') total += item.length;
    else if (isRecord(item)) {
      if ('content' in item) total += contentCharacters(item.content);
      else if (typeof item.output === 'string') total += item.output.length;
    }
  }
  return total;
}

/**
 * The prompt's characters as this server counts them: the text of the messages (chat), of the
 * input and instructions (Responses), of the input (embeddings) or of the prompt (images).
 */
export function promptCharacters(
  endpoint: 'chat' | 'responses' | 'embeddings' | 'images',
  body: Readonly<Record<string, unknown>>,
): number {
  switch (endpoint) {
    case 'chat':
      return itemsCharacters(body.messages);
    case 'responses':
      return (
        itemsCharacters(body.input) + (typeof body.instructions === 'string' ? body.instructions.length : 0)
      );
    case 'embeddings':
      return itemsCharacters(body.input);
    case 'images':
      return typeof body.prompt === 'string' ? body.prompt.length : 0;
  }
}

/** `ceil(characters / charactersPerToken)`: the prompt tokens of a server that counts characters. */
export function tokensFromCharacters(characters: number, charactersPerToken: number): number {
  return Math.ceil(characters / charactersPerToken);
}
