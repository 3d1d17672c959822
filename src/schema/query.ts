/** The query root: jobs by ref, and what is configured. */
import { kindsOf } from '../providers/catalog.js';
import { mayRead } from '../security/caller.js';
import { builder } from './builder.js';
import { JobResultUnion } from './errors.js';
import { JobKindEnum, JobRefInput, ProviderEnum, refsOf } from './job.js';

interface AccountShape {
  provider: 'IMAGEKIT' | 'SAYMON' | 'ZENDESK';
  account: string;
  sandbox: boolean;
}

const ProviderAccountType = builder.objectRef<AccountShape>('ProviderAccount').implement({
  description: 'A configured provider account that refs may name.',
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (account) => account.provider }),
    account: t.exposeString('account'),
    sandbox: t.exposeBoolean('sandbox', { description: 'Served by the built-in simulated provider.' }),
    kinds: t.field({ type: [JobKindEnum], resolve: (account) => kindsOf(account.provider) }),
  }),
});

builder.queryType({
  fields: (t) => ({
    job: t.field({
      type: JobResultUnion,
      description: "One job's current status, or why it has none.",
      args: { ref: t.arg({ type: JobRefInput, required: true }) },
      resolve: (_root, { ref }, context) => context.loader.load(refsOf([ref], 1)[0]!),
    }),
    jobs: t.field({
      type: [JobResultUnion],
      description: 'One result per ref, in the same order (duplicates included); at most 500 refs.',
      args: { refs: t.arg({ type: [JobRefInput], required: true }) },
      resolve: (_root, { refs }, context) => context.loader.loadMany(refsOf(refs, context.maxRefs)) as never,
    }),
    providers: t.field({
      type: [ProviderAccountType],
      description: 'The configured provider accounts this API key may read.',
      resolve: (_root, _args, context) =>
        context.store
          .accounts()
          .filter((client) => mayRead(context.caller, client.provider))
          .map((client) => ({ provider: client.provider, account: client.account, sandbox: client.sandbox })),
    }),
  }),
});
