// Where QTools keeps a model's data, the energy table and the reference
// types: the options of QTools.pe() and of ForgivingFactorPower.  Kept
// free of LibTorch so that configuration readers can check them.
// Semantics: ../shared/spec/qkeras.md §5.2, §6.3.
#pragma once

#include <string>
#include <string_view>

namespace energy {

// Where a tensor lives: read from DRAM (through SRAM), from SRAM, or free
// (hard-wired in the logic).
enum class Memory { Dram, Sram, Fixed };
Memory parse_memory(std::string_view text);  // "dram", "sram", "fixed"; throws std::invalid_argument
std::string_view to_string(Memory memory);

// QTools.pe()'s placement options; the defaults are QTools'.
struct Placement {
  Memory parameters = Memory::Dram;
  Memory activations = Memory::Dram;
  double min_sram_size = 0;  // bits: SRAM accesses cost at least those of an SRAM this big
  // Model inputs and outputs go through DRAM (else they sit in SRAM).
  bool rd_wr_on_io = true;
};

// The energy tables: only the 45 nm Horowitz one exists.  Throws
// std::invalid_argument naming any other.
void check_process(const std::string& process);

// The types an un-quantized reference can be priced in (QTools'
// for_reference): weights and inputs fp32, fp16 or int8; products and sums
// int16, int32, fp16 or fp32.  Throws std::invalid_argument naming the other.
void check_reference_types(const std::string& internal, const std::string& accumulator);

}  // namespace energy
