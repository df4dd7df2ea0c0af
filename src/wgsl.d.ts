declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

declare module '*.xml?raw' {
  const source: string;
  export default source;
}
