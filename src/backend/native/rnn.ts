/**
 * The native backend's fused LSTM and GRU steps (native/src/rnn.cc): inputs checked as the cpu kernels check them
 * (same messages), outputs from the buffer pool, one threaded, vectorized pass per call. An addon built without
 * these functions takes the cpu kernels.
 */
import { takeBuffer } from "../../tensor/buffer-pool.js";
import type { Kernel, KernelTensor, PartialKernelTable } from "../backend.js";
import { checkGruInputs, checkLstmInputs, rnnKernels } from "../cpu/rnn.js";
import type { RnnPrimitives } from "../primitives.js";
import type { NativeAddon } from "./addon.js";
import { native } from "./kernels.js";

type Data = Float32Array | Float64Array;

/** The addon's functions from native/src/rnn.cc (optional: an addon built from older sources lacks them). */
interface RnnAddon extends NativeAddon {
  /** z [B, 4u], c [B, u] → h, c2 [B, u] (written). */
  lstmCell?(z: Data, c: Data, h: Data, c2: Data, units: number): void;
  /** z [B, 4u], c, dh, dc [B, u] → dz [B, 4u], dcPrev [B, u] (written). */
  lstmCellGrad?(z: Data, c: Data, dh: Data, dc: Data, dz: Data, dcPrev: Data, units: number): void;
  /** xp, hp [B, 3u], h [B, u], bh [u] → h2 [B, u] (written). */
  gruCell?(xp: Data, hp: Data, h: Data, bh: Data, h2: Data, units: number): void;
  /** xp, hp, h, bh, dh2 → dxp, dhp [B, 3u], dh [B, u], dbh [u] (written). */
  gruCellGrad?(xp: Data, hp: Data, h: Data, bh: Data, dh2: Data, dxp: Data, dhp: Data, dh: Data, dbh: Data, units: number): void;
}

const rnnAddon = (): RnnAddon => native() as RnnAddon;
const data = (t: KernelTensor): Data => t.data as Data;

const lstmCell: Kernel<"lstmCell"> = (inputs, attrs) => {
  const { dtype, batch, units } = checkLstmInputs("lstmCell", inputs);
  const addon = rnnAddon();
  if (addon.lstmCell === undefined) return rnnKernels.lstmCell(inputs, attrs);
  const h = takeBuffer(dtype, batch * units) as Data;
  const c2 = takeBuffer(dtype, batch * units) as Data;
  if (units > 0) addon.lstmCell(data(inputs[0]), data(inputs[1]), h, c2, units);
  const shape = [batch, units];
  return [{ shape, dtype, data: h }, { shape, dtype, data: c2 }];
};

const lstmCellGrad: Kernel<"lstmCellGrad"> = (inputs, attrs) => {
  const { dtype, batch, units } = checkLstmInputs("lstmCellGrad", inputs);
  const addon = rnnAddon();
  if (addon.lstmCellGrad === undefined) return rnnKernels.lstmCellGrad(inputs, attrs);
  const dz = takeBuffer(dtype, batch * 4 * units) as Data;
  const dcPrev = takeBuffer(dtype, batch * units) as Data;
  const [z, c, dh, dc] = inputs.map(data);
  if (units > 0) addon.lstmCellGrad(z, c, dh, dc, dz, dcPrev, units);
  return [
    { shape: [batch, 4 * units], dtype, data: dz },
    { shape: [batch, units], dtype, data: dcPrev },
  ];
};

const gruCell: Kernel<"gruCell"> = (inputs, attrs) => {
  const { dtype, batch, units } = checkGruInputs("gruCell", inputs);
  const addon = rnnAddon();
  if (addon.gruCell === undefined) return rnnKernels.gruCell(inputs, attrs);
  const h2 = takeBuffer(dtype, batch * units) as Data;
  const [xp, hp, h, bh] = inputs.map(data);
  if (units > 0) addon.gruCell(xp, hp, h, bh, h2, units);
  return { shape: [batch, units], dtype, data: h2 };
};

const gruCellGrad: Kernel<"gruCellGrad"> = (inputs, attrs) => {
  const { dtype, batch, units } = checkGruInputs("gruCellGrad", inputs);
  const addon = rnnAddon();
  if (addon.gruCellGrad === undefined) return rnnKernels.gruCellGrad(inputs, attrs);
  const dxp = takeBuffer(dtype, batch * 3 * units) as Data;
  const dhp = takeBuffer(dtype, batch * 3 * units) as Data;
  const dh = takeBuffer(dtype, batch * units) as Data;
  const dbh = takeBuffer(dtype, units) as Data;
  const [xp, hp, h, bh, dh2] = inputs.map(data);
  if (units > 0) addon.gruCellGrad(xp, hp, h, bh, dh2, dxp, dhp, dh, dbh, units);
  return [
    { shape: [batch, 3 * units], dtype, data: dxp },
    { shape: [batch, 3 * units], dtype, data: dhp },
    { shape: [batch, units], dtype, data: dh },
    { shape: [units], dtype, data: dbh },
  ];
};

export const nativeRnnKernels: PartialKernelTable<keyof RnnPrimitives> = { lstmCell, lstmCellGrad, gruCell, gruCellGrad };
