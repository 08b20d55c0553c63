# Precision config, emulation and PTQ commands.
add_test(NAME cli_hlsconfig_types COMMAND qtrain_cli hlsconfig ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json --types)
# hls4ml.md §3.8: ap_fixed<16,6> inputs, ap_fixed<6,1> weights and biases, 16 inputs.
set_tests_properties(cli_hlsconfig_types PROPERTIES PASS_REGULAR_EXPRESSION
  "\"fc1\": {[^}]*\"weight\": \"ap_fixed<6,1>\".*fc1 \\(Dense\\) \\(None, 64\\)  accum=ap_fixed<27,12>")
add_test(NAME cli_hlsconfig_rejects_type COMMAND sh -c "\"$0\" hlsconfig \"$1\" --default 'ap_fixed<16,6,AP_FOO>'; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${PROJECT_SOURCE_DIR}/examples/jet_tagger/q6.json)
add_test(NAME cli_predict_missing_run COMMAND sh -c "\"$0\" predict /nonexistent/run 2>&1 | grep -q '/nonexistent/run: not a run directory' && ! \"$0\" predict /nonexistent/run"
  $<TARGET_FILE:qtrain_cli>)
add_test(NAME cli_ptq_needs_a_mode COMMAND sh -c "\"$0\" ptq /nonexistent/run; test $? -eq 2" $<TARGET_FILE:qtrain_cli>)
