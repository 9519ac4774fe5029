import { afterAll, beforeAll } from 'vitest';
import {
  type HandlerEnvironment,
  type HandlerEnvironmentOptions,
  importRouteHandlers,
  prepareHandlerEnvironment,
  routeCaller,
} from './handler-environment.js';

/**
 * The set-up of a test file that calls the route handlers: before its tests, its own handler environment
 * (prepareHandlerEnvironment) and every route's handler; after them, the environment disposed. Call it at
 * the top level of the file, before the file's own `beforeAll` (which then sees both ready).
 */
export const useRouteHandlers = (prefix: string, options: HandlerEnvironmentOptions = {}) => {
  let environment: HandlerEnvironment | undefined;
  let caller: ReturnType<typeof routeCaller> | undefined;
  beforeAll(async () => {
    environment = await prepareHandlerEnvironment(prefix, options);
    caller = routeCaller(await importRouteHandlers());
  }, 60_000);
  afterAll(async () => {
    await environment?.dispose();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRouteHandlers: used before its beforeAll ran');
    return value;
  };
  return {
    get environment(): HandlerEnvironment {
      return ready(environment);
    },
    /** Calls a route's handler by route name (routeCaller). */
    call: (...args: Parameters<ReturnType<typeof routeCaller>>) => ready(caller)(...args),
    /** The headers of an organizer's request. */
    organizer: () => ({ authorization: `Bearer ${ready(environment).organizerToken}` }),
  };
};
