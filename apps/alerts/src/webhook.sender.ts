import { Injectable } from '@nestjs/common';

export type SendOutcome = { readonly status: number } | { readonly error: string };

/** HTTP edge of the webhook: one POST, with a timeout; an answer or the reason there was none. */
@Injectable()
export class WebhookSender {
  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    timeoutMs: number,
  ): Promise<SendOutcome> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      await response.arrayBuffer().catch(() => undefined); // let the connection be reused
      return { status: response.status };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}
