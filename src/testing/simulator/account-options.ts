/**
 * The simulated account's options (billing, credit, spend limits, region, verification, allowed
 * models): what they mean, and their parsing — at `createSimulator` (`account`) and at each
 * `setAccount` — with zod, every error naming the dotted path, what was expected and what was given.
 */
import * as z from 'zod';
import { parseWith } from '../../util/options.js';

/** The account the simulator plays; every field can change mid-run with `setAccount`. */
export interface SimulatorAccount {
  /**
   * Billing set up; `false` answers 429 `billing_not_active` (openai-api.md Table 1 #26).
   * @default true
   */
  readonly billingActive?: boolean;
  /**
   * Prepaid credit, USD. Each served call's cost is taken from it; at 0 or below the API answers
   * 429 `insufficient_quota` (Table 1 #21).
   * @default Infinity
   */
  readonly creditUsd?: number;
  /**
   * Report used-up credit as `credit_balance_exhausted` (Table 1 #22) instead of `insufficient_quota`.
   * @default false
   */
  readonly prepaid?: boolean;
  /**
   * What the organization has spent this month, USD; served calls add their cost.
   * @default 0
   */
  readonly spentUsd?: number;
  /**
   * The organization's hard monthly spend limit, USD: at or above it, 429
   * `organization_spend_limit_exceeded` (Table 1 #23).
   */
  readonly spendLimitUsd?: number;
  /** The project's spend limit, USD: 429 `project_spend_limit_exceeded` (Table 1 #24). */
  readonly projectSpendLimitUsd?: number;
  /**
   * OpenAI's monthly usage limit of the tier, USD: 429 `organization_usage_limit_exceeded` (Table 1
   * #25). Not enforced unless set (Table 3 lists each tier's figure), so long runs do not run into it.
   */
  readonly usageLimitUsd?: number;
  /**
   * `false` answers every call 403 `unsupported_country_region_territory` (Table 1 #9).
   * @default true
   */
  readonly regionSupported?: boolean;
  /**
   * `false`: gpt-image-1 answers 403, o3 and gpt-5 refuse `stream: true` and `reasoning.summary`
   * with 400 `unsupported_value` (Table 1 #12–15, `VERIFICATION_REQUIREMENTS`).
   * @default true
   */
  readonly organizationVerified?: boolean;
  /** The project's allowed models (names or families); any other model answers 403 (Table 1 #11). */
  readonly allowedModels?: readonly string[];
}

/** A change to the account: a field set to `undefined` (or `null`, from JSON) returns to its default. */
export type SimulatorAccountPatch = {
  readonly [Field in keyof SimulatorAccount]?: SimulatorAccount[Field] | undefined | null;
};

// zod 4 refuses infinite numbers; credit may be Infinity (unlimited) in code, absent in JSON.
const usd = (what: string) =>
  z.custom<number>((value) => typeof value === 'number' && !Number.isNaN(value), {
    error: `${what} in USD (a number)`,
  });

const accountFields = {
  billingActive: z.boolean({ error: 'true or false' }),
  creditUsd: usd('prepaid credit'),
  prepaid: z.boolean({ error: 'true or false' }),
  spentUsd: usd('spend this month'),
  spendLimitUsd: usd('a spend limit'),
  projectSpendLimitUsd: usd('a spend limit'),
  usageLimitUsd: usd('a usage limit'),
  regionSupported: z.boolean({ error: 'true or false' }),
  organizationVerified: z.boolean({ error: 'true or false' }),
  allowedModels: z.array(z.string(), { error: 'an array of model names' }),
} as const;

export const accountSchema = z.strictObject(
  {
    billingActive: accountFields.billingActive.optional(),
    creditUsd: accountFields.creditUsd.optional(),
    prepaid: accountFields.prepaid.optional(),
    spentUsd: accountFields.spentUsd.optional(),
    spendLimitUsd: accountFields.spendLimitUsd.optional(),
    projectSpendLimitUsd: accountFields.projectSpendLimitUsd.optional(),
    usageLimitUsd: accountFields.usageLimitUsd.optional(),
    regionSupported: accountFields.regionSupported.optional(),
    organizationVerified: accountFields.organizationVerified.optional(),
    allowedModels: accountFields.allowedModels.optional(),
  },
  { error: 'an object describing the account (billingActive, creditUsd, spendLimitUsd, …)' },
);

const accountPatchSchema = z.strictObject(
  {
    billingActive: accountFields.billingActive.nullish(),
    creditUsd: accountFields.creditUsd.nullish(),
    prepaid: accountFields.prepaid.nullish(),
    spentUsd: accountFields.spentUsd.nullish(),
    spendLimitUsd: accountFields.spendLimitUsd.nullish(),
    projectSpendLimitUsd: accountFields.projectSpendLimitUsd.nullish(),
    usageLimitUsd: accountFields.usageLimitUsd.nullish(),
    regionSupported: accountFields.regionSupported.nullish(),
    organizationVerified: accountFields.organizationVerified.nullish(),
    allowedModels: accountFields.allowedModels.nullish(),
  },
  { error: 'an object of account fields to change' },
);

/** Parses an account patch (`setAccount`); throws `TierguardOptionsError` naming every bad field. */
export function parseAccountPatch(input: unknown): SimulatorAccountPatch {
  return parseWith(accountPatchSchema, input ?? {}, 'account', Object.keys(accountPatchSchema.shape));
}
