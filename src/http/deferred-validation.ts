import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
type Compile = ReturnType<ValidatorFactory>;
type RouteSchema = Parameters<Compile>[0];
type Validate = ((data: unknown, dataCxt?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };

// The compiler Fastify itself would use: its own dependency, resolved from Fastify's location.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * Fastify's request validation, compiled when first needed instead of before listening.
 *
 * Fastify compiles every route's JSON schema with Ajv when the app becomes ready; with Signet's
 * routes that was about 0.3 s of a 1 s start (node --cpu-prof of `signet serve` on an existing
 * database: compileSchemasForValidation). This factory hands Fastify the same compiler
 * (@fastify/ajv-compiler with the server's `ajv` options), but each route's validator is
 * compiled on its first call, and `compileRemaining` compiles the others one per turn of the
 * event loop once the server listens, so a mistake in a schema still shows soon after start.
 * Validation itself is unchanged: the compiled function is called with the same arguments and
 * its `errors` are handed back to Fastify.
 */
export function deferredValidation(): { buildValidator: ValidatorFactory; compileRemaining(): void; remaining(): number } {
  const pending = new Set<() => void>();
  const buildValidator: ValidatorFactory = (externalSchemas, ajvOptions) => {
    let compiler: Compile | undefined;
    const compile = (route: RouteSchema) => {
      compiler ??= (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)()(externalSchemas, ajvOptions);
      return compiler(route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route) as Validate;
    };
    return ((route: RouteSchema) => {
      let real: Validate | undefined;
      const ensure = () => {
        if (!real) {
          real = compile(route);
          pending.delete(ensure);
        }
        return real;
      };
      const validate: Validate = (data, dataCxt) => {
        const fn = ensure();
        const result = fn(data, dataCxt);
        validate.errors = fn.errors;
        return result;
      };
      // Fastify passes the parent data (so Ajv may replace the root value) only to functions
      // that carry Ajv's schemaEnv; every function Ajv compiles does.
      validate.schemaEnv = true;
      pending.add(ensure);
      return validate;
    }) as unknown as Compile;
  };
  const compileRemaining = () => {
    const next = pending.values().next();
    if (next.done) return;
    next.value();
    setImmediate(compileRemaining);
  };
  return { buildValidator, compileRemaining, remaining: () => pending.size };
}

/**
 * Node hands header names over in lower case, so Fastify lower-cases the property names of a
 * `headers` schema before compiling it, except for a custom compiler (which this factory counts
 * as): done here the same way.
 */
function lowerCaseHeaders<T>(schema: T): T {
  if (!schema || typeof schema !== 'object' || Object.getPrototypeOf(schema) !== Object.prototype) return schema;
  const s = schema as unknown as { properties?: Record<string, unknown>; required?: unknown };
  return {
    ...s,
    ...(s.properties && { properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k.toLowerCase(), v])) }),
    ...(Array.isArray(s.required) && { required: s.required.map((k) => (typeof k === 'string' ? k.toLowerCase() : k)) }),
  } as T;
}
