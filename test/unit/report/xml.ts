/**
 * A strict XML parser for tests: any error of the parser fails the test (warnings do not: one is
 * that the text holds U+FFFD, which the renderer puts where XML forbids a character).
 */
import { DOMParser, type Document, type Element } from "@xmldom/xmldom";

// XML 1.0 forbids these even as character references; the parser does not check them.
const invalidXmlChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function parseXml(text: string): Document {
  if (invalidXmlChars.test(text)) throw new Error("XML holds characters XML 1.0 forbids");
  return new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, "text/xml");
}

/** The elements named `tag` below `node`, in document order. */
export function elements(node: Document | Element, tag: string): Element[] {
  return Array.from(node.getElementsByTagName(tag));
}
