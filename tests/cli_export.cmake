# `qtrain export` and `qtrain csim`: a float jet tagger trained for one epoch
# on 2000 synthetic jets (400 test events), exported under the default
# ap_fixed<16,6> and C-simulated with g++: every output equals the emulator's.
# A second export into the same directory without --force fails.
set(EXPORT_CLI_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_export)
add_test(NAME cli_export_csim COMMAND sh -c
  "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
   printf '{\"name\": \"e\", \"model\": \"%s\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 2000, \"seed\": 5}, \"loss\": {\"kind\": \"categorical_crossentropy\"}, \"optimizer\": {\"kind\": \"adam\", \"lr\": 0.003}, \"batch_size\": 128, \"epochs\": 1, \"seed\": 1}' \"$1\" > \"$2/run.json\"
   \"$0\" --threads 1 train \"$2/run.json\" --out \"$2/run\" > /dev/null
   \"$0\" export \"$2/run\" -o \"$2/prj\" --name jets --tb-samples 1000
   \"$0\" csim \"$2/prj\"
   if \"$0\" export \"$2/run\" -o \"$2/prj\" 2> \"$2/err\"; then exit 1; fi; grep 'exists (use --force' \"$2/err\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/float.json ${EXPORT_CLI_DIR})
set_tests_properties(cli_export_csim PROPERTIES PASS_REGULAR_EXPRESSION
  "wrote .*/prj \\(400 test samples\\).*400 samples, 2000 outputs: 0 mismatching the emulator, largest absolute difference 0.*exists \\(use --force")
add_test(NAME cli_export_missing_run COMMAND sh -c
  "\"$0\" export /nonexistent/run -o /tmp/qtrain_no_project 2>&1 | grep -q '/nonexistent/run' && ! \"$0\" export /nonexistent/run -o /tmp/qtrain_no_project"
  $<TARGET_FILE:qtrain_cli>)
add_test(NAME cli_csim_not_a_project COMMAND sh -c
  "\"$0\" csim \"$1\" 2>&1 | grep -q 'not an exported project' && \"$0\" csim \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples)
# The QKeras paper's heterogeneous PTQ (BN folded) of a float jet tagger
# trained for one epoch: its per-layer types export and C-simulate with no
# output differing from the emulator.
add_test(NAME cli_export_ptq_heterogeneous COMMAND sh -c
  "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
   printf '{\"name\": \"h\", \"model\": \"%s\", \"data\": {\"kind\": \"synthetic_jets\", \"samples\": 3000, \"seed\": 3}, \"loss\": {\"kind\": \"categorical_crossentropy\"}, \"optimizer\": {\"kind\": \"adam\", \"lr\": 0.003}, \"batch_size\": 128, \"epochs\": 1, \"seed\": 2}' \"$1\" > \"$2/run.json\"
   \"$0\" --threads 1 train \"$2/run.json\" --out \"$2/run\" > /dev/null
   \"$0\" ptq \"$2/run\" --heterogeneous --fold-bn -o \"$2/ptq\"
   \"$0\" export \"$2/ptq\" -o \"$2/prj\" --tb-samples 600
   \"$0\" csim \"$2/prj\""
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/float.json ${CMAKE_CURRENT_BINARY_DIR}/cli_export_ptq)
set_tests_properties(cli_export_ptq_heterogeneous PROPERTIES PASS_REGULAR_EXPRESSION
  "fc1.weight: ap_fixed<.*wrote .*/prj \\(600 test samples\\).*600 samples, 3000 outputs: 0 mismatching the emulator, largest absolute difference 0")
