/**
 * Wire types of the OpenAI Responses API ({@code POST /v1/responses}): stream events, output items, content
 * parts, usage and errors, as the gateway writes them to Responses clients (shared/docs/responses-api.md).
 */
package dev.sluice.protocol.responses;
