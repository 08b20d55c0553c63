# `qtrain energy`: QTools' estimate of the 6-bit jet tagger with the default
# options (parameters and activations in DRAM through SRAM, int8 input).
# Totals worked by hand from qkeras.md 5.1-5.3: 627590 pJ quantized,
# 3385713 pJ for the fp32 reference; fc1's int8 x qb(6,0,1) product has
# 13 bits, its sum 8 + 4 + 1 (bias) more integer bits: fixed<18,6>.
add_test(NAME cli_energy COMMAND qtrain_cli energy ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
set_tests_properties(cli_energy PROPERTIES PASS_REGULAR_EXPRESSION
  "fc1 \\(QDense\\) +fixed<8,1> +fixed<6,1> +mul fixed<13,1> +fixed<18,6> .*Total energy: 627590 pJ")
add_test(NAME cli_energy_reference COMMAND qtrain_cli energy --reference fp32 ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
set_tests_properties(cli_energy_reference PROPERTIES PASS_REGULAR_EXPRESSION "Total energy: 3385713 pJ")
add_test(NAME cli_energy_json COMMAND qtrain_cli energy --json ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
set_tests_properties(cli_energy_json PROPERTIES PASS_REGULAR_EXPRESSION "\"total\": 627590")
# Bad input: one line naming the offending value, status 2.
add_test(NAME cli_energy_rejects_memory COMMAND sh -c
  "\"$0\" energy --parameters-on disk \"$1\" 2>&1 | grep -q 'parameters-on: disk' && \"$0\" energy --parameters-on disk \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
add_test(NAME cli_energy_rejects_source COMMAND sh -c
  "\"$0\" energy --source 'quantized_bitz(4)' \"$1\" 2>&1 | grep -q quantized_bitz && \"$0\" energy --source 'quantized_bitz(4)' \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
add_test(NAME cli_energy_missing_model COMMAND sh -c
  "\"$0\" energy /nonexistent/model.json 2>&1 | grep -q '/nonexistent/model.json' && ! \"$0\" energy /nonexistent/model.json"
  $<TARGET_FILE:qtrain_cli>)
