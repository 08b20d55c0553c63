# The workload pipelines, examples/<workload>/run.sh --quick: train, QAT,
# energy, export, csim and estimate on tiny synthetic data
# sets for 1-2 epochs.  The summary is printed only when every step
# succeeded, and its csim line must report 0 mismatches with the emulator.
foreach(workload jet_tagger svhn anomaly)
  add_test(NAME cli_pipeline_${workload}
           COMMAND ${CMAKE_COMMAND} -E env QTRAIN=$<TARGET_FILE:qtrain_cli>
                   ${PROJECT_SOURCE_DIR}/examples/${workload}/run.sh --quick
                   ${CMAKE_CURRENT_BINARY_DIR}/cli_pipeline_${workload})
endforeach()
set(PIPELINE_CSIM "\ncsim +[0-9]+ samples, [0-9]+ outputs: 0 mismatching the emulator, largest absolute difference 0\n")
set_tests_properties(cli_pipeline_jet_tagger PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION
  "\ntest accuracy +float 0[.][0-9]+, 6-bit QAT 0[.][0-9]+, 6-bit firmware \\(emulated\\) 0[.][0-9]+\nenergy +float \\(fp32\\) 3385713 pJ, 6-bit 627590 pJ: 5.39 times less${PIPELINE_CSIM}estimate +DSP [0-9]+, LUT [0-9]+")
set_tests_properties(cli_pipeline_svhn PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION
  "\ntest accuracy +float 0[.][0-9]+, 6-bit QAT 0[.][0-9]+, 6-bit firmware \\(emulated\\) 0[.][0-9]+\nenergy +float \\(fp32\\) [0-9]+ pJ, 6-bit [0-9]+ pJ: [0-9.]+ times less${PIPELINE_CSIM}estimate +DSP [0-9]+, LUT [0-9]+, FF [0-9]+, BRAM_18K [0-9]+; latency [0-9]+ cycles")
set_tests_properties(cli_pipeline_anomaly PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION
  "\nIO score ROC AUC float: Ato4l 0[.][0-9]+, leptoquark 0[.][0-9]+, hToTauTau 0[.][0-9]+, hChToTauNu 0[.][0-9]+\n.*${PIPELINE_CSIM}estimate +DSP [0-9]+, LUT [0-9]+")
# A real-data path that does not exist: one line naming it, status 2.
add_test(NAME cli_pipeline_missing_data COMMAND sh -c
  "export QTRAIN=\"$1\"; \"$0\" --data /nonexistent/jets.h5 2>&1 | grep -q '/nonexistent/jets.h5: no such file' && \"$0\" --data /nonexistent/jets.h5; test $? -eq 2"
  ${PROJECT_SOURCE_DIR}/examples/jet_tagger/run.sh $<TARGET_FILE:qtrain_cli>)
