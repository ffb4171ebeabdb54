declare module "ms" {
  function ms(value: number): string;
  export = ms;
}
