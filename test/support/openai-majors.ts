/**
 * The two `openai` majors tierguard supports, side by side, for tests that run once per major
 * (`describe.each(OPENAI_MAJORS)`): openai 6 as `openai`, openai 7 through the `openai-v7` alias.
 * openai 7's classes are typed as openai 6's: the tests call the surface both share, and every
 * runtime check (`instanceof`, error classes) goes through the major's own constructor.
 */
import OpenAI6, { AzureOpenAI as AzureOpenAI6, toFile as toFile6 } from 'openai';
import { zodResponseFormat as zodResponseFormat6, zodTextFormat as zodTextFormat6 } from 'openai/helpers/zod';
import OpenAI7, { AzureOpenAI as AzureOpenAI7, toFile as toFile7 } from 'openai-v7';
import {
  zodResponseFormat as zodResponseFormat7,
  zodTextFormat as zodTextFormat7,
} from 'openai-v7/helpers/zod';

/** One major of the `openai` package: its client classes and the helpers a caller uses with them. */
export interface OpenAIMajor {
  readonly name: string;
  readonly OpenAI: typeof OpenAI6;
  readonly AzureOpenAI: typeof AzureOpenAI6;
  readonly toFile: typeof toFile6;
  readonly zodResponseFormat: typeof zodResponseFormat6;
  readonly zodTextFormat: typeof zodTextFormat6;
}

export const OPENAI_MAJORS: readonly OpenAIMajor[] = [
  {
    name: 'openai 6',
    OpenAI: OpenAI6,
    AzureOpenAI: AzureOpenAI6,
    toFile: toFile6,
    zodResponseFormat: zodResponseFormat6,
    zodTextFormat: zodTextFormat6,
  },
  {
    name: 'openai 7',
    OpenAI: OpenAI7 as unknown as typeof OpenAI6,
    AzureOpenAI: AzureOpenAI7 as unknown as typeof AzureOpenAI6,
    toFile: toFile7 as unknown as typeof toFile6,
    zodResponseFormat: zodResponseFormat7 as unknown as typeof zodResponseFormat6,
    zodTextFormat: zodTextFormat7 as unknown as typeof zodTextFormat6,
  },
];
