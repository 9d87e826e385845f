/**
 * Plain text with its web addresses made into links. Elements are built
 * one by one, never from HTML, so a message cannot inject markup.
 */
import type { ReactNode } from 'react';

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

/** Punctuation that ends a sentence more often than an address. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** `text` as React text, with http(s) addresses as links. */
export function LinkifiedText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let position = 0;

  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    const start = match.index;

    parts.push(text.slice(position, start));
    parts.push(
      <a key={start} href={url}>
        {url}
      </a>,
    );
    position = start + url.length;
  }
  parts.push(text.slice(position));

  return <>{parts}</>;
}
