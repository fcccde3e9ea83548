/** The parser the metrics test reads GET /metrics with (the package ships no types). */
declare module 'parse-prometheus-text-format' {
  export default function parse(text: string): unknown[];
}
