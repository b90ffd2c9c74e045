// placeholder: the status page script (browser code; built with its own tsconfig, DOM lib)
export {}
