import { GraphQLError } from 'graphql';

/**
 * A request the user can fix. Yoga answers HTTP 400 for it and never masks its message.
 */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}
