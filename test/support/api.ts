/** The JSON body of an API error, as src/http/errors.ts writes it: { error: { code, message, field? } }. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}
