#include "energy/memory.h"

#include <stdexcept>

namespace energy {

Memory parse_memory(std::string_view text) {
  if (text == "dram") return Memory::Dram;
  if (text == "sram") return Memory::Sram;
  if (text == "fixed") return Memory::Fixed;
  throw std::invalid_argument("memory must be dram, sram or fixed, got '" + std::string(text) + "'");
}

std::string_view to_string(Memory memory) {
  switch (memory) {
    case Memory::Dram: return "dram";
    case Memory::Sram: return "sram";
    case Memory::Fixed: return "fixed";
  }
  return "";
}

void check_process(const std::string& process) {
  if (process != "horowitz") throw std::invalid_argument("unknown process '" + process + "' (known: horowitz)");
}

void check_reference_types(const std::string& internal, const std::string& accumulator) {
  if (internal != "fp32" && internal != "fp16" && internal != "int8")
    throw std::invalid_argument("reference internal type must be fp32, fp16 or int8, got '" + internal + "'");
  if (accumulator != "int16" && accumulator != "int32" && accumulator != "fp16" && accumulator != "fp32")
    throw std::invalid_argument("reference accumulator must be int16, int32, fp16 or fp32, got '" + accumulator + "'");
}

}  // namespace energy
