# `qtrain autoq`: three one-epoch trials of examples/autoq/tiny.json, then a
# --resume that finds every trial in the journal and runs none.
set(AUTOQ_OUT ${CMAKE_CURRENT_BINARY_DIR}/autoq_tiny)
add_test(NAME cli_autoq COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -o \"$1\" \"$2\" && test $(wc -l < \"$1/trials.jsonl\") -eq 3 && test -f \"$1/best_model.json\" && test -f \"$1/pareto.svg\" && \"$0\" autoq --resume -o \"$1\" \"$2\" | grep -v '^trial ' | grep -q '^best: trial'"
  $<TARGET_FILE:qtrain_cli> ${AUTOQ_OUT} ${PROJECT_SOURCE_DIR}/examples/autoq/tiny.json)
# An existing search is not overwritten without --resume.
add_test(NAME cli_autoq_existing COMMAND sh -c
  "mkdir -p \"$1\" && echo > \"$1/trials.jsonl\" && \"$0\" autoq -o \"$1\" \"$2\" 2>&1 | grep -q -- '--resume' && \"$0\" autoq -o \"$1\" \"$2\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_existing ${PROJECT_SOURCE_DIR}/examples/autoq/tiny.json)
# Bad input: one line naming the field, status 2.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_goal.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"goal\": {\"type\": \"latency\"}}")
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_layers.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"layers\": \"conv.*\"}")
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_menu.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"quantization_config\": {\"kernel\": {\"quantized_bitz(4)\": 4}}}")
foreach(bad "bad_goal;goal.type" "bad_layers;matches no layer" "bad_menu;quantized_bitz")
  list(GET bad 0 name)
  list(GET bad 1 message)
  add_test(NAME cli_autoq_rejects_${name} COMMAND sh -c
    "\"$0\" autoq -o \"$1.out\" \"$1\" 2>&1 | grep -q \"$2\" && \"$0\" autoq -o \"$1.out\" \"$1\"; test $? -eq 2"
    $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_${name}.json "${message}")
endforeach()
# --data replaces the base run's data in every trial; a file path in it is
# taken from the working directory, and a missing file leaves no output
# directory; a resume on other data is refused; text that is not a data
# object is refused naming --data.
add_test(NAME cli_autoq_data COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -q -o \"$1\" --data '{\"kind\": \"synthetic_jets\", \"samples\": 500, \"seed\": 9}' \"$2\" && grep -q '\"samples\": 500' \"$1/trials/0/run.json\" && cd \"$1\" && \"$0\" autoq -o out2 --data '{\"kind\": \"jets\", \"path\": \"missing_jets.h5\"}' \"$2\" 2>&1 | grep -q \"$1/missing_jets.h5\" && test ! -e out2 && \"$0\" autoq --resume -o . --data '{\"kind\": \"synthetic_jets\", \"samples\": 600, \"seed\": 9}' \"$2\" 2>&1 | grep -q 'other data' && \"$0\" autoq -o out3 --data '[1]' \"$2\" 2>&1 | grep -q -- '--data' && \"$0\" autoq -o out3 --data '[1]' \"$2\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_data ${PROJECT_SOURCE_DIR}/examples/autoq/tiny.json)
