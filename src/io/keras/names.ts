/** Name conversions between Tensile's camelCase and Keras's snake_case. */

/**
 * Keras's `naming.to_snake_case`, used for the paths of layers in weights files: `Conv2DTranspose` →
 * `conv2d_transpose`, `LSTMCell` → `lstm_cell`, `SimpleRNN` → `simple_rnn`, `InputLayer` → `input_layer`.
 */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** A camelCase key as Keras spells it: "kernelSize" → "kernel_size" ("l2" stays "l2"). */
export function keyToKeras(key: string): string {
  // The first pass splits a one-letter word before another word: "sparseYTrue" → "sparse_y_true".
  return key.replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** A Keras snake_case key in camelCase: "kernel_size" → "kernelSize", "beta_1" → "beta1". */
export function keyFromKeras(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A camelCase option value as Keras writes it ("channelsLast" → "channels_last", "fanIn" → "fan_in"). */
export function valueToKeras(value: string): string {
  return value.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
